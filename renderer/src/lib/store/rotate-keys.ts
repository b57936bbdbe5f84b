import { equalBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import type { MasterKeyRotation } from '../../../../shared/crypto/profile-keys';
import { PROFILE_ROW_ID, type RegvaultDb, type ProfileRow, type VaultRow } from './db';

// Everything sealed under the master key is in two tables: the profile row (identity keys, settings) and each
// vault row's wrapped key. A rotation rewrites all of them in ONE IndexedDB transaction, so a crash or a failed
// write leaves either the old state (old passphrase, old master key) or the new one, never a mix.

/**
 * Stores a master-key rotation: the new wrapped master and identity keys, the settings and every vault key
 * re-wrapped under the new master key. Refused (nothing written) when the profile was re-wrapped since `before`
 * was read, e.g. by another window.
 */
export async function storeRotation(db: RegvaultDb, before: ProfileRow, rotation: MasterKeyRotation): Promise<void> {
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
    await db.profile.put({
      ...current,
      ...rotation.record,
      sealedSettings: rotation.reseal(current.sealedSettings, { kind: 'settings' }),
    });
    await db.vaults.bulkPut(rewrapped);
  });
}
