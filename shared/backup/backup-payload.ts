/**
 * What a backup holds once opened (docs/crypto.md "Backup file"): the chosen vaults, each with its id, name, key
 * and whole Yjs document (entries, notes, secrets and their history, the activity list), and for a team vault the
 * verified member log, the later epochs' keys this device holds and its relay settings. JSON, parsed with a schema.
 */
import { z } from 'zod';
import { decodeUtf8, encodeUtf8 } from '../crypto/bytes';
import { VaultError } from '../crypto/errors';
import { memberRecordSchema, type WireMemberRecord } from '../sync/wire-records';

/** The team part of a backed-up vault: relay settings, the verified member log and later epochs' keys. */
export type BackupTeam = Readonly<{
  settings: Readonly<{ relayUrl: string; enabled: boolean; fallbackRelayUrls?: readonly string[] }>;
  members: readonly WireMemberRecord[];
  keys?: Readonly<Record<string, string>>;
  /** The backing-up device (signing key, base64) and its last envelope counter: restored to that same device, it goes on from there. */
  device?: string;
  counter?: number;
}>;

/** One vault in a backup; `key` and `state` are base64 (the vault key of `epoch`, `Y.encodeStateAsUpdate`). */
export type BackupVault = Readonly<{
  id: string;
  name: string;
  createdAt: number;
  epoch: number;
  key: string;
  state: string;
  team?: BackupTeam;
}>;

/** The whole payload of a backup file. */
export type BackupPayload = Readonly<{
  format: 'regvault-backup';
  version: 1;
  createdAt: number;
  vaults: readonly BackupVault[];
}>;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const teamSchema = z.object({
  settings: z.object({
    relayUrl: z.string().min(1).max(2048),
    enabled: z.boolean(),
    fallbackRelayUrls: z.array(z.string().min(1).max(2048)).max(8).optional(),
  }),
  members: z.array(memberRecordSchema).max(100_000),
  keys: z.record(z.string().regex(/^\d{1,10}$/), base64).optional(),
  device: base64.length(44).optional(),
  counter: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
const vaultSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(200),
  createdAt: z.number().int().nonnegative(),
  epoch: z.number().int().min(0).max(0xffffffff),
  key: base64.length(44),
  state: base64,
  team: teamSchema.optional(),
});
const payloadSchema = z.object({
  format: z.literal('regvault-backup'),
  version: z.literal(1),
  createdAt: z.number().int().nonnegative(),
  vaults: z.array(vaultSchema).max(10_000),
});

/** Encodes a payload as UTF-8 JSON for `sealBackup`. */
export function encodeBackupPayload(payload: BackupPayload): Uint8Array {
  return encodeUtf8(JSON.stringify(payload));
}

/** Parses an opened payload; `backup-damaged` when it is not one this version understands. */
export function parseBackupPayload(bytes: Uint8Array): BackupPayload {
  const text = decodeUtf8(bytes);
  let json: unknown;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    throw new VaultError(
      'backup-damaged',
      'This backup opened, but what it holds is not a Regvault backup this version can read. Nothing was restored.',
    );
  }
  return parsed.data;
}

/** The file name a backup made on `at` gets: `regvault-backup-YYYY-MM-DD.rvbackup` (UTC date). */
export function backupFileName(at: number): string {
  return `regvault-backup-${new Date(at).toISOString().slice(0, 10)}.rvbackup`;
}
