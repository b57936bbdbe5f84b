// The recovery key (issue "Never lose a vault"): 32 random bytes shown once as a grouped base32 string. It is
// not a passphrase: with 256 bits of entropy it needs no Argon2id, only one HMAC per purpose (deriveSubkey).
import nacl from 'tweetnacl';
import { concatBytes, encodeUtf8, equalBytes, wipeBytes, type RandomBytes } from './bytes';
import { VaultError } from './errors';
import { deriveSubkey } from './subkey';
import { tryOpenRecord, wrapKey, type SealedRecord } from './seal';

/** Bytes of a recovery key. */
export const RECOVERY_KEY_BYTES = 32;

// Crockford's base32: no I, L, O or U, so a printed key reads back without confusing 1/I/L or 0/O.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK_BYTES = 3; // 32 + 3 bytes = 280 bits = exactly 56 characters, 14 groups of 4
const GROUP = 4;

function checksum(key: Uint8Array): Uint8Array {
  return nacl.hash(concatBytes([encodeUtf8('regvault/v1/recovery-check'), key])).slice(0, CHECK_BYTES);
}

function toBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Uint8Array | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Uint8Array.from(bytes);
}

/** A fresh random recovery key. */
export function generateRecoveryKey(random: RandomBytes): Uint8Array {
  return random(RECOVERY_KEY_BYTES);
}

/** The key as people write it down: 56 characters of Crockford base32 (with a checksum) in groups of 4. */
export function formatRecoveryKey(key: Uint8Array): string {
  const text = toBase32(concatBytes([key, checksum(key)]));
  return (text.match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? []).join('-');
}

/**
 * Reads a typed recovery key: case, spaces and dashes do not matter, O reads as 0 and I/L as 1.
 * `invalid-recovery-key` when it is not 56 characters or its checksum does not match (a typo).
 */
export function parseRecoveryKey(typed: string): Uint8Array {
  const text = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const bytes = text.length === 56 ? fromBase32(text) : null;
  if (bytes === null || bytes.length !== RECOVERY_KEY_BYTES + CHECK_BYTES) {
    throw new VaultError(
      'invalid-recovery-key',
      'That is not a recovery key: it has 56 letters and digits in 14 groups of 4. Copy it again from your printed recovery kit.',
    );
  }
  const key = bytes.slice(0, RECOVERY_KEY_BYTES);
  if (!equalBytes(bytes.subarray(RECOVERY_KEY_BYTES), checksum(key))) {
    wipeBytes(key);
    throw new VaultError(
      'invalid-recovery-key',
      'This recovery key has a typo (its last group does not match the rest). Check each group against your printed kit.',
    );
  }
  return key;
}

/** The key a recovery key wraps the master key under (one purpose of the recovery key). */
function recoveryKek(recoveryKey: Uint8Array): Uint8Array {
  return deriveSubkey(recoveryKey, 'regvault/v1/recovery-kek');
}

/** Wraps the master key under a recovery key, so the recovery key alone can open the profile. */
export function wrapMasterKeyForRecovery(
  masterKey: Uint8Array,
  recoveryKey: Uint8Array,
  random: RandomBytes,
): SealedRecord {
  const kek = recoveryKek(recoveryKey);
  try {
    return wrapKey(masterKey, kek, { kind: 'master-key' }, random);
  } finally {
    wipeBytes(kek);
  }
}

/** Unwraps the master key with a recovery key; `wrong-recovery-key` when it is not the profile's current one. */
export function unwrapMasterKeyWithRecovery(wrapped: SealedRecord, recoveryKey: Uint8Array): Uint8Array {
  const kek = recoveryKek(recoveryKey);
  const masterKey = tryOpenRecord(wrapped, kek, { kind: 'master-key' });
  wipeBytes(kek);
  if (masterKey === null || masterKey.length !== RECOVERY_KEY_BYTES) {
    throw new VaultError(
      'wrong-recovery-key',
      'This recovery key does not open this profile: it may be an older one, replaced when the recovery key was rotated. Use the newest printed kit.',
    );
  }
  return masterKey;
}

/** The key backups sealed "with the recovery key" are sealed under, for one backup's random salt. */
export function deriveRecoveryBackupKey(recoveryKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return deriveSubkey(recoveryKey, 'regvault/v1/recovery-backup', salt);
}
