import { isVaultError, VaultError } from '../../../../shared/crypto/errors';
import type { KdfCheckOptions, KdfCost } from '../../../../shared/crypto/kdf';
import { changePassphrase, rotateMasterKey, type MasterKeyRotation } from '../../../../shared/crypto/profile-keys';
import { equalBytes, wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { rewrapRecovery } from './recovery';
import { PROFILE_ROW_ID, type RegvaultDb, type ProfileRow, type VaultRow } from './db';

// Everything sealed under the master key is in two tables: the profile row (identity keys, settings) and each
// vault row's wrapped key. A rotation rewrites all of them in ONE IndexedDB transaction, so a crash or a failed
// write leaves either the old state (old passphrase, old master key) or the new one, never a mix.

/**
 * Stores a master-key rotation: the new wrapped master and identity keys, the settings and every vault key
 * re-wrapped under the new master key. Refused (nothing written) when the profile was re-wrapped since `before`
 * was read, e.g. by another window.
 */
async function storeRotation(
  db: RegvaultDb,
  before: ProfileRow,
  rotation: MasterKeyRotation,
  random: RandomBytes,
): Promise<void> {
  await db.transaction('rw', [db.profile, db.vaults], async () => {
    const current = await db.profile.get(PROFILE_ROW_ID);
    if (!current || !equalBytes(current.wrappedMasterKey, before.wrappedMasterKey)) {
      throw new VaultError(
        'write-failed',
        'The passphrase was changed in another window meanwhile. Lock, unlock and try again.',
      );
    }
    const vaults = await db.vaults.toArray();
    const rewrapped = vaults.map((row): VaultRow => {
      const binding = { kind: 'vault-key', vaultId: row.id, epoch: row.epoch } as const;
      return { ...row, wrappedKey: rotation.reseal(row.wrappedKey, binding) };
    });
    // The recovery key stays the same (the printed kit still works) and now wraps the new master key.
    const recovery = rewrapRecovery(current.recovery, rotation.reseal, rotation.masterKey, random);
    await db.profile.put({
      ...current,
      ...rotation.record,
      sealedSettings: rotation.reseal(current.sealedSettings, { kind: 'settings' }),
      ...(recovery ? { recovery } : {}),
    });
    await db.vaults.bulkPut(rewrapped);
  });
}

/** A passphrase change as the dialog asks for it. */
export type PassphraseChange = Readonly<{ oldPassphrase: string; newPassphrase: string; rotateKeys: boolean }>;

/**
 * Re-wraps the stored master key under a new passphrase (`wrong-passphrase` if the old one does not open it).
 * With `rotateKeys`, stores a new master key and everything re-wrapped under it, and returns that key for the
 * session to use from now on; otherwise returns null (the master key is unchanged).
 */
export async function changeProfilePassphrase(
  db: RegvaultDb,
  change: PassphraseChange,
  options: KdfCheckOptions & Readonly<{ random: RandomBytes; target: KdfCost }>,
): Promise<Uint8Array | null> {
  const row = await db.profile.get(PROFILE_ROW_ID);
  if (!row) throw new VaultError('no-profile', 'The profile is gone from this device. Create a new one.');
  const { oldPassphrase, newPassphrase } = change;
  if (!change.rotateKeys) {
    const next = await changePassphrase(row, oldPassphrase, newPassphrase, options);
    await db.profile.update(PROFILE_ROW_ID, { kdf: next.kdf, wrappedMasterKey: next.wrappedMasterKey });
    return null;
  }
  const rotation = await rotateMasterKey(row, oldPassphrase, newPassphrase, options);
  try {
    await storeRotation(db, row, rotation, options.random);
  } catch (error) {
    wipeBytes(rotation.masterKey);
    if (isVaultError(error)) throw error;
    throw new VaultError(
      'write-failed',
      'The new keys could not be saved, so nothing was changed: your current passphrase still works. Try again.',
      { cause: error },
    );
  } finally {
    rotation.finish();
  }
  return rotation.masterKey;
}
