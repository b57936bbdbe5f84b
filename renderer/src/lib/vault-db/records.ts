import { z } from 'zod';
import type { RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import { openJsonRecord, sealJsonRecord, type SealedRecord } from '../../../../shared/crypto/seal';
import { argvSchema } from '../../../../shared/refresh/refresh-command';

// Small JSON records sealed in the store, parsed with a schema after opening (STYLE §2).

/** An entry this device serves to Docker through docker-credential-regvault. */
export type ServedEntry = Readonly<{ vaultId: string; entryId: string }>;

/**
 * Profile settings, sealed under the master key so nobody can quietly switch auto-lock off on disk. They are
 * this device's alone (never synced): also where refresh commands and their approvals live (issue #17), and
 * which entries this device serves to Docker and the vault `docker login` stores into (docs/docker-config.md).
 */
export type Settings = Readonly<{
  autoLockMinutes: number;
  /** Desktop notifications before expiry / rotation and on a failed refresh; on unless set to false. */
  reminders?: boolean;
  refreshCommands?: readonly StoredRefreshCommand[];
  /** The display name other members of a team vault see ("Your name"). */
  name?: string;
  /** A random id shared by this profile's devices in team vaults, so they group under one name. */
  person?: string;
  dockerServe?: readonly ServedEntry[];
  helperStoreVault?: string;
  /** When this device last used each entry (served Docker, wrote config.json, logged in, refreshed). */
  lastUse?: readonly EntryUse[];
  /** How many previous secrets each entry keeps (default 10; secret-history.ts). */
  historyLimit?: number;
  /** Automatic daily backups to a folder, sealed with the recovery key, keeping the newest `keep` files. */
  autoBackup?: AutoBackupSettings;
}>;

/** How this device last used an entry. */
export const ENTRY_USE_KINDS = ['helper', 'docker-config', 'login-check', 'refresh'] as const;

/** One way an entry is used on this device. */
export type EntryUseKind = (typeof ENTRY_USE_KINDS)[number];

/** When this device last used an entry, and how (entry ids are random UUIDs, unique across vaults). */
export type EntryUse = Readonly<{ entryId: string; at: number; via: EntryUseKind }>;

/** Where and how automatic backups are written, and when the last one was. */
export type AutoBackupSettings = Readonly<{ folder: string; keep: number; lastAt?: number }>;

/** A refresh command of one entry, stored on this device only. */
export type StoredRefreshCommand = Readonly<{
  vaultId: string;
  entryId: string;
  argv: readonly string[];
  lifetimeMs?: number;
  approvedArgv?: readonly string[];
  registry?: string;
}>;

/** A vault's name and details, sealed under the vault key. */
export type VaultMeta = Readonly<{ name: string; createdAt: number }>;

/** Settings of a new profile. */
export const DEFAULT_SETTINGS: Settings = Object.freeze({ autoLockMinutes: 10 });

/** Longest vault name, in characters. */
export const MAX_VAULT_NAME_LENGTH = 200;

const refreshCommandSchema = z.object({
  vaultId: z.string().min(1).max(128),
  entryId: z.string().min(1).max(128),
  argv: argvSchema,
  lifetimeMs: z.number().int().positive().optional(),
  approvedArgv: argvSchema.optional(),
  registry: z.string().min(1).max(1024).optional(),
});
const settingsSchema = z.object({
  autoLockMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  reminders: z.boolean().optional(),
  refreshCommands: z.array(refreshCommandSchema).max(10_000).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  person: z.string().min(1).max(64).optional(),
  dockerServe: z
    .array(z.object({ vaultId: z.string().min(1).max(128), entryId: z.string().min(1).max(128) }))
    .max(20_000)
    .optional(),
  helperStoreVault: z.string().min(1).max(128).optional(),
  lastUse: z
    .array(
      z.object({
        entryId: z.string().min(1).max(128),
        at: z.number().int().nonnegative(),
        via: z.enum(ENTRY_USE_KINDS),
      }),
    )
    .max(20_000)
    .optional(),
  historyLimit: z.number().int().min(0).max(100).optional(),
  autoBackup: z
    .object({
      folder: z.string().min(1).max(4096),
      keep: z.number().int().min(1).max(365),
      lastAt: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
const vaultMetaSchema = z.object({ name: z.string().min(1).max(MAX_VAULT_NAME_LENGTH), createdAt: z.number() });

/** Checks settings a caller wants to store; `invalid-settings` says which value to fix. */
export function validateSettings(settings: Settings): Settings {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    throw new VaultError(
      'invalid-settings',
      field === 'autoLockMinutes'
        ? 'Set auto-lock to a whole number of minutes from 1 to 1440.'
        : field === 'name'
          ? 'Give your name in 1 to 200 characters.'
          : field === 'historyLimit'
            ? 'Keep a whole number of previous secrets from 0 to 100.'
            : field === 'autoBackup'
              ? 'Keep a whole number of automatic backups from 1 to 365, in a folder you chose.'
              : 'These settings cannot be stored: check the refresh command.',
    );
  }
  return parsed.data;
}

/** Seals settings under the master key. */
export function sealSettings(settings: Settings, masterKey: Uint8Array, random: RandomBytes): SealedRecord {
  return sealJsonRecord(validateSettings(settings), masterKey, { kind: 'settings' }, random);
}

/** Opens sealed settings; `damaged` (profile-settings) if altered or malformed. */
export function openSettings(sealed: SealedRecord, masterKey: Uint8Array): Settings {
  return openJsonRecord(sealed, masterKey, { kind: 'settings' }, settingsSchema);
}

/** Trims a vault name and refuses an empty or over-long one. */
export function normalizeVaultName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > MAX_VAULT_NAME_LENGTH) {
    throw new VaultError('invalid-vault-name', `Give the vault a name of 1 to ${MAX_VAULT_NAME_LENGTH} characters.`);
  }
  return trimmed;
}

/** Seals a vault's name and details under its key, bound to its id and epoch. */
export function sealVaultMeta(
  meta: VaultMeta,
  vaultKey: Uint8Array,
  vaultId: string,
  epoch: number,
  random: RandomBytes,
): SealedRecord {
  return sealJsonRecord(meta, vaultKey, { kind: 'vault-meta', vaultId, epoch }, random);
}

/** Opens a vault's sealed name and details; `damaged` (vault-meta) if altered, moved or malformed. */
export function openVaultMeta(sealed: SealedRecord, vaultKey: Uint8Array, vaultId: string, epoch: number): VaultMeta {
  return openJsonRecord(sealed, vaultKey, { kind: 'vault-meta', vaultId, epoch }, vaultMetaSchema);
}
