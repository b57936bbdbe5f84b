import nacl from 'tweetnacl';
import { z } from 'zod';
import { decodeUtf8, encodeU64, encodeUtf8, wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import { deriveSubkey } from '../../../../shared/crypto/subkey';
import { decodeBase64, encodeBase64 } from '../../../../shared/crypto/bytes';
import { checkRelayUrl } from '../../../../shared/sync/relay-url';
import type { SyncCursor } from '../../../../shared/sync/storage';
import { memberRecordSchema, envelopeSchema, type WireEnvelope } from '../../../../shared/sync/wire-records';

// A vault's sync records, sealed under its vault key like its log (DESIGN §4): the relay URL and switch,
// the engine's cursor (member log, counters, state vector) and its queue of envelopes not yet acknowledged.
// `shared/crypto/seal` binds its own record kinds; these use the same construction under their own domain.

/** Where a vault syncs, and whether it does. */
export type SyncSettings = Readonly<{ relayUrl: string; enabled: boolean }>;

/** The relay a new vault is pointed at until the user changes it (`npm run relay`'s default). */
export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8787';

/** Settings of a vault that never synced. */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = Object.freeze({ relayUrl: DEFAULT_RELAY_URL, enabled: false });

const FORMAT_VERSION = 1;
const DOMAIN = 'regvault/sync-record/v1';
const HEADER = 1 + nacl.secretbox.nonceLength;

/** The place a sync record belongs; bound into the key that seals it. */
export type SyncBinding = Readonly<{
  kind: 'sync-settings' | 'sync-cursor' | 'sync-pending';
  vaultId: string;
  epoch: number;
  counter?: number;
}>;

function recordKey(key: Uint8Array, binding: SyncBinding): Uint8Array {
  return deriveSubkey(
    key,
    DOMAIN,
    binding.kind,
    binding.vaultId,
    encodeU64(binding.epoch),
    encodeU64(binding.counter ?? 0),
  );
}

function seal(value: unknown, key: Uint8Array, binding: SyncBinding, random: RandomBytes): Uint8Array {
  const nonce = random(nacl.secretbox.nonceLength);
  const subkey = recordKey(key, binding);
  const box = nacl.secretbox(encodeUtf8(JSON.stringify(value)), nonce, subkey);
  wipeBytes(subkey);
  const sealed = new Uint8Array(HEADER + box.length);
  sealed[0] = FORMAT_VERSION;
  sealed.set(nonce, 1);
  sealed.set(box, HEADER);
  return sealed;
}

function open<T>(sealed: Uint8Array, key: Uint8Array, binding: SyncBinding, schema: z.ZodType<T>): T {
  const damaged = () =>
    new VaultError(
      'damaged',
      `Stored sync data of this vault is damaged (${binding.kind}) and was not used. Turn sync off and on again to start over; the vault's entries are not affected.`,
    );
  if (!(sealed instanceof Uint8Array) || sealed.length < HEADER || sealed[0] !== FORMAT_VERSION) throw damaged();
  const subkey = recordKey(key, binding);
  const plain = nacl.secretbox.open(sealed.subarray(HEADER), sealed.subarray(1, HEADER), subkey);
  wipeBytes(subkey);
  const text = plain ? decodeUtf8(plain) : null;
  let json: unknown;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw damaged();
  return parsed.data;
}

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
const settingsSchema = z.object({ relayUrl: relayUrlSchema, enabled: z.boolean() });

/**
 * Checks settings before they are stored; `invalid-settings` says what to fix. Stricter than what is
 * read back: plain ws:// only to this machine (settings stored before that rule still open, and the
 * engine then refuses the address with the same advice).
 */
export function validateSyncSettings(settings: SyncSettings): SyncSettings {
  const relayUrl = checkRelayUrl(String(settings.relayUrl));
  if (!relayUrl.ok) throw new VaultError('invalid-settings', relayUrl.error.message);
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success)
    throw new VaultError('invalid-settings', 'Sync settings are a relay address and an on/off switch.');
  return parsed.data;
}

/** Seals a vault's sync settings. */
export function sealSyncSettings(
  settings: SyncSettings,
  key: Uint8Array,
  binding: Omit<SyncBinding, 'kind'>,
  random: RandomBytes,
) {
  return seal(validateSyncSettings(settings), key, { ...binding, kind: 'sync-settings' }, random);
}

/** Opens a vault's sync settings; `damaged` if altered. */
export function openSyncSettings(sealed: Uint8Array, key: Uint8Array, binding: Omit<SyncBinding, 'kind'>) {
  return open(sealed, key, { ...binding, kind: 'sync-settings' }, settingsSchema);
}

const cursorSchema = z.object({
  head: z.number().int().min(0),
  counter: z.number().int().min(0),
  snapshotSeq: z.number().int().min(0),
  authors: z.record(z.string(), z.number().int().min(0)),
  members: z.array(memberRecordSchema),
  vector: z.string().nullable(),
});

/** Seals the engine's cursor (the state vector travels as base64 inside the JSON). */
export function sealCursor(
  cursor: SyncCursor,
  key: Uint8Array,
  binding: Omit<SyncBinding, 'kind'>,
  random: RandomBytes,
) {
  const value = { ...cursor, vector: cursor.vector ? encodeBase64(cursor.vector) : null };
  return seal(value, key, { ...binding, kind: 'sync-cursor' }, random);
}

/** Opens the engine's cursor; `damaged` if altered. */
export function openCursor(sealed: Uint8Array, key: Uint8Array, binding: Omit<SyncBinding, 'kind'>): SyncCursor {
  const value = open(sealed, key, { ...binding, kind: 'sync-cursor' }, cursorSchema);
  return { ...value, vector: value.vector === null ? null : decodeBase64(value.vector) };
}

/** Seals one queued envelope, bound to its counter. */
export function sealPending(
  env: WireEnvelope,
  key: Uint8Array,
  binding: Omit<SyncBinding, 'kind'>,
  random: RandomBytes,
) {
  return seal(env, key, { ...binding, kind: 'sync-pending', counter: env.counter }, random);
}

/** Opens one queued envelope; `damaged` if altered or moved to another counter. */
export function openPending(
  sealed: Uint8Array,
  key: Uint8Array,
  binding: Omit<SyncBinding, 'kind'> & { counter: number },
) {
  return open(sealed, key, { ...binding, kind: 'sync-pending' }, envelopeSchema);
}
