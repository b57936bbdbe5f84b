// The profile's recovery key (docs/crypto.md "Recovery key"): the master key wrapped under it, and the key itself
// sealed under the master key, so a master-key rotation can re-wrap the new master key and recovery-key backups
// can be made while unlocked. Making a new recovery key replaces the record: the old key opens nothing stored after.
import { wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import {
  generateRecoveryKey,
  unwrapMasterKeyWithRecovery,
  wrapMasterKeyForRecovery,
} from '../../../../shared/crypto/recovery-key';
import { unwrapKey, wrapKey, type RecordBinding, type SealedRecord } from '../../../../shared/crypto/seal';
import { PROFILE_ROW_ID, type RecoveryRecord, type RegvaultDb } from './db';

const BINDING = { kind: 'recovery-key' } as const;

/** The record that makes `recoveryKey` open `masterKey`. */
export function recoveryRecordFor(
  masterKey: Uint8Array,
  recoveryKey: Uint8Array,
  random: RandomBytes,
  createdAt: number,
): RecoveryRecord {
  return {
    wrappedMasterKey: wrapMasterKeyForRecovery(masterKey, recoveryKey, random),
    sealedKey: wrapKey(recoveryKey, masterKey, BINDING, random),
    createdAt,
  };
}

/** Draws a new recovery key and stores its record in place of any older one; returns the key (shown once). */
export async function storeNewRecoveryKey(
  db: RegvaultDb,
  masterKey: Uint8Array,
  random: RandomBytes,
  now: number,
): Promise<Uint8Array> {
  const key = generateRecoveryKey(random);
  const recovery = recoveryRecordFor(masterKey, key, random, now);
  const updated = await db.profile.update(PROFILE_ROW_ID, { recovery });
  if (updated !== 1) {
    wipeBytes(key);
    throw new VaultError('no-profile', 'The profile is gone from this device. Create a new one.');
  }
  return key;
}

/** The profile's recovery key (opened with the master key), or null when none was made. */
export function openRecoveryKey(recovery: RecoveryRecord | undefined, masterKey: Uint8Array): Uint8Array | null {
  return recovery ? unwrapKey(recovery.sealedKey, masterKey, BINDING) : null;
}

/** The master key the recovery key opens; `no-recovery-key` or `wrong-recovery-key` otherwise. */
export function unwrapWithRecovery(recovery: RecoveryRecord | undefined, recoveryKey: Uint8Array): Uint8Array {
  if (!recovery) {
    throw new VaultError(
      'no-recovery-key',
      'This profile has no recovery key, so it can only be opened with its passphrase (or restored from a backup).',
    );
  }
  return unwrapMasterKeyWithRecovery(recovery.wrappedMasterKey, recoveryKey);
}

/** After a master-key rotation (`reseal` moves a record from the old master key to the new): the same recovery key, now wrapping the new master key. */
export function rewrapRecovery(
  recovery: RecoveryRecord | undefined,
  reseal: (sealed: SealedRecord, binding: RecordBinding) => SealedRecord,
  newMasterKey: Uint8Array,
  random: RandomBytes,
): RecoveryRecord | undefined {
  if (recovery === undefined) return undefined;
  const sealedKey = reseal(recovery.sealedKey, BINDING);
  const key = unwrapKey(sealedKey, newMasterKey, BINDING);
  try {
    return {
      wrappedMasterKey: wrapMasterKeyForRecovery(newMasterKey, key, random),
      sealedKey,
      createdAt: recovery.createdAt,
    };
  } finally {
    wipeBytes(key);
  }
}
