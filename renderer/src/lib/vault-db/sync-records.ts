import { z } from 'zod';
import { decodeBase64, encodeBase64, type RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { openJsonRecord, sealJsonRecord } from '../../../../shared/crypto/seal';
import { checkRelayUrl } from '../../../../shared/sync/relay-url';
import type { SyncCursor } from '../../../../shared/sync/storage';
import { memberRecordSchema, envelopeSchema, type WireEnvelope } from '../../../../shared/sync/wire-records';

// A vault's sync records, sealed under its vault key like its log (DESIGN §4): the relay URL and switch,
// the engine's cursor (member log, counters, state vector) and its queue of envelopes not yet acknowledged.
// They are record kinds of `shared/crypto/seal` ('sync-settings', 'sync-cursor', 'sync-pending').

/**
 * Where a vault syncs, and whether it does. `fallbackRelayUrls`: more nodes of the same relay service (one
 * PostgreSQL database, docs/relay.md), tried in turn when the current one cannot be reached.
 */
export type SyncSettings = Readonly<{ relayUrl: string; enabled: boolean; fallbackRelayUrls?: readonly string[] }>;

/** How many other relay addresses a vault may list. */
export const MAX_FALLBACK_RELAYS = 8;

/** The relay a new vault is pointed at until the user changes it (`npm run relay`'s default). */
export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8787';

/** Settings of a vault that never synced. */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = Object.freeze({ relayUrl: DEFAULT_RELAY_URL, enabled: false });

/** The vault and key epoch a sync record belongs to; bound into the key that seals it. */
export type SyncPlace = Readonly<{ vaultId: string; epoch: number }>;

const relayUrlSchema = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
    } catch {
      return false;
    }
  });
const settingsSchema = z.object({
  relayUrl: relayUrlSchema,
  enabled: z.boolean(),
  fallbackRelayUrls: z.array(relayUrlSchema).max(MAX_FALLBACK_RELAYS).optional(),
});

/**
 * Checks settings before they are stored; `invalid-settings` says what to fix. Stricter than what is
 * read back: plain ws:// only to this machine (settings stored before that rule still open, and the
 * engine then refuses the address with the same advice).
 */
export function checkSyncSettings(settings: SyncSettings): Result<SyncSettings, Failure<'invalid-settings'>> {
  const relayUrl = checkRelayUrl(String(settings.relayUrl));
  if (!relayUrl.ok) return fail('invalid-settings', relayUrl.error.message);
  const others = settings.fallbackRelayUrls ?? [];
  if (others.length > MAX_FALLBACK_RELAYS)
    return fail('invalid-settings', `List at most ${MAX_FALLBACK_RELAYS} other relay addresses.`);
  for (const other of others) {
    const checked = checkRelayUrl(String(other));
    if (!checked.ok) return fail('invalid-settings', `Other relay address ${String(other)}: ${checked.error.message}`);
  }
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) return fail('invalid-settings', 'Sync settings are a relay address and an on/off switch.');
  return ok(parsed.data);
}

/** `checkSyncSettings` inside the store, where a refusal is thrown as `invalid-settings` and caught by the caller. */
export function validateSyncSettings(settings: SyncSettings): SyncSettings {
  const checked = checkSyncSettings(settings);
  if (!checked.ok) throw new VaultError(checked.error.code, checked.error.message);
  return checked.value;
}

/** Seals a vault's sync settings. */
export function sealSyncSettings(settings: SyncSettings, key: Uint8Array, place: SyncPlace, random: RandomBytes) {
  return sealJsonRecord(validateSyncSettings(settings), key, { ...place, kind: 'sync-settings' }, random);
}

/** Opens a vault's sync settings; `damaged` if altered. */
export function openSyncSettings(sealed: Uint8Array, key: Uint8Array, place: SyncPlace) {
  return openJsonRecord(sealed, key, { ...place, kind: 'sync-settings' }, settingsSchema);
}

const cursorSchema = z.object({
  head: z.number().int().min(0),
  counter: z.number().int().min(0),
  snapshotSeq: z.number().int().min(0),
  authors: z.record(z.string(), z.number().int().min(0)),
  members: z.array(memberRecordSchema),
  vector: z.string().nullable(),
  keys: z.record(z.string().regex(/^\d+$/), z.string()).optional(),
  localOnly: z.record(z.string().regex(/^\d+$/), z.number().int().min(0)).optional(),
});

/** Seals the engine's cursor (the state vector travels as base64 inside the JSON). */
export function sealCursor(cursor: SyncCursor, key: Uint8Array, place: SyncPlace, random: RandomBytes) {
  const value = { ...cursor, vector: cursor.vector ? encodeBase64(cursor.vector) : null };
  return sealJsonRecord(value, key, { ...place, kind: 'sync-cursor' }, random);
}

/** Opens the engine's cursor; `damaged` if altered. */
export function openCursor(sealed: Uint8Array, key: Uint8Array, place: SyncPlace): SyncCursor {
  const value = openJsonRecord(sealed, key, { ...place, kind: 'sync-cursor' }, cursorSchema);
  return { ...value, vector: value.vector === null ? null : decodeBase64(value.vector) };
}

/** Seals one queued envelope, bound to its counter. */
export function sealPending(env: WireEnvelope, key: Uint8Array, place: SyncPlace, random: RandomBytes) {
  return sealJsonRecord(env, key, { ...place, kind: 'sync-pending', seq: env.counter }, random);
}

// A queued envelope of a Regvault before protocol v5 named no member-log position (or was signed under an
// older domain): no relay or peer takes it any more, so it is recognised, never sent.
const queuedEnvelopeSchema = z.union([envelopeSchema, envelopeSchema.omit({ members: true }).transform(() => null)]);

/**
 * Opens one queued envelope; `damaged` if altered or moved to another counter, null if an older Regvault
 * queued it (no position: sync-state.ts sends the document again instead).
 */
export function openPending(
  sealed: Uint8Array,
  key: Uint8Array,
  place: SyncPlace & { counter: number },
): WireEnvelope | null {
  const { vaultId, epoch, counter } = place;
  return openJsonRecord(sealed, key, { vaultId, epoch, kind: 'sync-pending', seq: counter }, queuedEnvelopeSchema);
}
