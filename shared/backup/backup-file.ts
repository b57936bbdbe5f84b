/**
 * The backup file (`.rvbackup`, docs/crypto.md "Backup file"): a fixed 79-byte header and one secretbox over the
 * padded payload. Nothing in it is readable without the backup passphrase or the recovery key but its size, the
 * format version, which of the two sealed it and (for a passphrase) the Argon2id parameters and salt.
 *
 * Header: magic `RVBACKUP` · version u8 · key kind u8 (1 passphrase, 2 recovery key) · memoryKiB u32 ·
 * iterations u32 · parallelism u8 · salt 16 · key check 16 · ciphertext length u32 · nonce 24.
 * The file key is a subkey of the derived key over the header's first 55 bytes, so a changed header field
 * opens nothing; the key check tells a wrong passphrase from a damaged file; the declared length tells a
 * truncated file from either.
 */
import nacl from 'tweetnacl';
import { concatBytes, encodeU32, encodeUtf8, equalBytes, readU32, wipeBytes, type RandomBytes } from '../crypto/bytes';
import { VaultError } from '../crypto/errors';
import {
  createKdfParams,
  deriveKeyFromPassphrase,
  KDF_SALT_BYTES,
  type KdfCheckOptions,
  type KdfCost,
  type KdfParams,
} from '../crypto/kdf';
import { deriveRecoveryBackupKey } from '../crypto/recovery-key';
import { deriveSubkey } from '../crypto/subkey';

/** The format version this code writes and reads. */
export const BACKUP_FORMAT_VERSION = 1;

/** The file name extension of a backup. */
export const BACKUP_EXTENSION = '.rvbackup';

/** How a backup was sealed: under a backup passphrase (Argon2id) or under the profile's recovery key. */
export type BackupKeyKind = 'passphrase' | 'recovery-key';

/** What opens (or seals) a backup. */
export type BackupSecret =
  Readonly<{ kind: 'passphrase'; passphrase: string }> | Readonly<{ kind: 'recovery-key'; recoveryKey: Uint8Array }>;

/** What the header says, before anything is opened. */
export type BackupHeader = Readonly<{ version: number; keyKind: BackupKeyKind; kdf: KdfParams | null; size: number }>;

const MAGIC = encodeUtf8('RVBACKUP');
const KIND_CODE: Readonly<Record<BackupKeyKind, number>> = { passphrase: 1, 'recovery-key': 2 };
const SALT_AT = 19;
const CHECK_AT = SALT_AT + KDF_SALT_BYTES; // 35
const LENGTH_AT = CHECK_AT + 16; // 51
const NONCE_AT = LENGTH_AT + 4; // 55
/** Bytes of the header. */
export const BACKUP_HEADER_BYTES = NONCE_AT + nacl.secretbox.nonceLength; // 79
const PAD_TO = 4096;

function fail(code: ConstructorParameters<typeof VaultError>[0], message: string): never {
  throw new VaultError(code, message);
}

function u8(bytes: Uint8Array, at: number): number {
  return bytes[at] ?? 0;
}

/** Reads and checks a backup's header; `not-a-backup`, `backup-version`, `backup-truncated` or `backup-damaged`. */
export function readBackupHeader(file: Uint8Array): BackupHeader {
  if (file.length < MAGIC.length || !equalBytes(file.subarray(0, MAGIC.length), MAGIC)) {
    fail('not-a-backup', 'This file is not a Regvault backup. Choose a file ending in .rvbackup that Regvault wrote.');
  }
  if (file.length < BACKUP_HEADER_BYTES) {
    fail('backup-truncated', 'This backup file is cut short (incomplete copy or download). Use another copy of it.');
  }
  const version = u8(file, 8);
  if (version !== BACKUP_FORMAT_VERSION) {
    fail(
      'backup-version',
      `This backup was written by a newer Regvault (format ${version}). Update Regvault, then restore it.`,
    );
  }
  const kindCode = u8(file, 9);
  const keyKind = kindCode === 1 ? 'passphrase' : kindCode === 2 ? 'recovery-key' : null;
  if (keyKind === null)
    fail('backup-damaged', 'This backup file is damaged (its header is not valid). Use another copy of it.');
  const declared = readU32(file, LENGTH_AT);
  const actual = file.length - BACKUP_HEADER_BYTES;
  if (actual < declared) {
    fail('backup-truncated', 'This backup file is cut short (incomplete copy or download). Use another copy of it.');
  }
  if (actual > declared)
    fail('backup-damaged', 'This backup file has extra bytes at its end, so it was changed. Use another copy of it.');
  const salt = file.slice(SALT_AT, CHECK_AT);
  const kdf: KdfParams | null =
    keyKind === 'passphrase'
      ? {
          algorithm: 'argon2id',
          version: 0x13,
          salt,
          memoryKiB: readU32(file, 10),
          iterations: readU32(file, 14),
          parallelism: u8(file, 18),
        }
      : null;
  return { version, keyKind, kdf, size: file.length };
}

// The key the passphrase or recovery key gives for this header (Argon2id, or a subkey of the recovery key).
async function deriveBaseKey(
  header: Uint8Array,
  keyKind: BackupKeyKind,
  kdf: KdfParams | null,
  secret: BackupSecret,
  options: KdfCheckOptions,
): Promise<Uint8Array> {
  if (secret.kind === 'passphrase' && keyKind === 'passphrase' && kdf) {
    return deriveKeyFromPassphrase(secret.passphrase, kdf, options);
  } else if (secret.kind === 'recovery-key' && keyKind === 'recovery-key') {
    return deriveRecoveryBackupKey(secret.recoveryKey, header.subarray(SALT_AT, CHECK_AT));
  } else {
    return fail(
      'backup-wrong-key',
      keyKind === 'passphrase'
        ? 'This backup is sealed with a backup passphrase, not the recovery key: enter its passphrase.'
        : 'This backup is sealed with a recovery key, not a passphrase: enter the recovery key of the profile that made it.',
    );
  }
}

function keyCheck(base: Uint8Array, header: Uint8Array): Uint8Array {
  return deriveSubkey(base, 'regvault/backup/v1/check', header.subarray(0, CHECK_AT)).slice(0, 16);
}

// Over the whole header but the nonce (the check included), so no header field can change unnoticed.
function fileKeyOf(base: Uint8Array, header: Uint8Array): Uint8Array {
  return deriveSubkey(base, 'regvault/backup/v1/file', header.subarray(0, NONCE_AT));
}

/** Options of `sealBackup`: the randomness, and the Argon2id cost for a passphrase (the profile's, at least the floor). */
export type SealBackupOptions = KdfCheckOptions & Readonly<{ random: RandomBytes; cost: KdfCost }>;

/** Seals a payload into backup file bytes under a backup passphrase or a recovery key. */
export async function sealBackup(
  payload: Uint8Array,
  secret: BackupSecret,
  options: SealBackupOptions,
): Promise<Uint8Array> {
  const padded = new Uint8Array(Math.ceil((payload.length + 4) / PAD_TO) * PAD_TO);
  padded.set(encodeU32(payload.length), 0);
  padded.set(payload, 4);
  const keyKind = secret.kind;
  const kdf = keyKind === 'passphrase' ? createKdfParams(options.cost, options.random, options) : null;
  const header = new Uint8Array(BACKUP_HEADER_BYTES);
  header.set(MAGIC, 0);
  header[8] = BACKUP_FORMAT_VERSION;
  header[9] = KIND_CODE[keyKind];
  if (kdf) {
    header.set(encodeU32(kdf.memoryKiB), 10);
    header.set(encodeU32(kdf.iterations), 14);
    header[18] = kdf.parallelism;
  }
  header.set(kdf ? kdf.salt : options.random(KDF_SALT_BYTES), SALT_AT);
  header.set(encodeU32(padded.length + nacl.secretbox.overheadLength), LENGTH_AT);
  const base = await deriveBaseKey(header, keyKind, kdf, secret, options);
  header.set(keyCheck(base, header), CHECK_AT);
  const fileKey = fileKeyOf(base, header);
  wipeBytes(base);
  const nonce = options.random(nacl.secretbox.nonceLength);
  header.set(nonce, NONCE_AT);
  const box = nacl.secretbox(padded, nonce, fileKey);
  wipeBytes(fileKey, padded);
  return concatBytes([header, box]);
}

/**
 * Opens backup file bytes and returns the payload. Errors say which case it is: `backup-wrong-key` (wrong
 * passphrase or recovery key), `backup-truncated`, `backup-damaged` (changed after it was written), `not-a-backup`.
 */
export async function openBackup(
  file: Uint8Array,
  secret: BackupSecret,
  options: KdfCheckOptions = {},
): Promise<Uint8Array> {
  const { keyKind, kdf } = readBackupHeader(file);
  const header = file.subarray(0, BACKUP_HEADER_BYTES);
  const base = await deriveBaseKey(header, keyKind, kdf, secret, options);
  const matches = equalBytes(keyCheck(base, header), header.subarray(CHECK_AT, LENGTH_AT));
  const fileKey = fileKeyOf(base, header);
  wipeBytes(base);
  if (!matches) {
    wipeBytes(fileKey);
    fail(
      'backup-wrong-key',
      keyKind === 'passphrase'
        ? 'Wrong backup passphrase. It is the passphrase chosen when this backup was made, which may differ from your unlock passphrase.'
        : 'This recovery key does not open this backup. Use the recovery key that was current when the backup was made.',
    );
  }
  const padded = nacl.secretbox.open(file.subarray(BACKUP_HEADER_BYTES), header.subarray(NONCE_AT), fileKey);
  wipeBytes(fileKey);
  const length = padded && padded.length >= 4 ? readU32(padded, 0) : -1;
  if (padded === null || length < 0 || length > padded.length - 4) {
    fail(
      'backup-damaged',
      'This backup file is damaged: it was changed after Regvault wrote it. Nothing was restored; use another copy.',
    );
  }
  const payload = padded.slice(4, 4 + length);
  wipeBytes(padded);
  return payload;
}
