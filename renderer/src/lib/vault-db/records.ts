import { z } from 'zod';
import type { RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import { openJsonRecord, sealJsonRecord, type SealedRecord } from '../../../../shared/crypto/seal';

// Small JSON records sealed in the store, parsed with a schema after opening (STYLE §2).

/** Profile settings, sealed under the master key so nobody can quietly switch auto-lock off on disk. */
export type Settings = Readonly<{
  autoLockMinutes: number;
  /** The display name other members of a team vault see ("Your name"). */
  name?: string;
  /** A random id shared by this profile's devices in team vaults, so they group under one name. */
  person?: string;
}>;

/** A vault's name and details, sealed under the vault key. */
export type VaultMeta = Readonly<{ name: string; createdAt: number }>;

/** Settings of a new profile. */
export const DEFAULT_SETTINGS: Settings = Object.freeze({ autoLockMinutes: 10 });

/** Longest vault name, in characters. */
export const MAX_VAULT_NAME_LENGTH = 200;

const settingsSchema = z.object({
  autoLockMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  name: z.string().trim().min(1).max(200).optional(),
  person: z.string().min(1).max(64).optional(),
});
const vaultMetaSchema = z.object({ name: z.string().min(1).max(MAX_VAULT_NAME_LENGTH), createdAt: z.number() });

/** Checks settings a caller wants to store; `invalid-settings` says which value to fix. */
export function validateSettings(settings: Settings): Settings {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const badName = parsed.error.issues.some((issue) => issue.path[0] === 'name');
    throw new VaultError(
      'invalid-settings',
      badName ? 'Give your name in 1 to 200 characters.' : 'Set auto-lock to a whole number of minutes from 1 to 1440.',
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
