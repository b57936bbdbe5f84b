import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import { encodeUtf8 } from '../crypto/bytes';
import { isVaultError } from '../crypto/errors';
import { KDF_FLOOR, type KdfCost } from '../crypto/kdf';
import { generateRecoveryKey } from '../crypto/recovery-key';
import { BACKUP_HEADER_BYTES, openBackup, readBackupHeader, sealBackup } from './backup-file';

const testFloor: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const fast = { testOnlyKdfFloor: testFloor, random: nacl.randomBytes, cost: testFloor } as const;
const payload = encodeUtf8(JSON.stringify({ note: 'registry ghcr.io password hunter2-plaintext' }));
const passphrase = { kind: 'passphrase', passphrase: 'backup words here' } as const;

async function codeOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return isVaultError(error) ? error.code : String(error);
  }
  return undefined;
}

function contains(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

describe('backup file', () => {
  test('round trip under a passphrase; the bytes hold no plaintext and are padded to 4 KiB', async () => {
    const file = await sealBackup(payload, passphrase, fast);
    expect(await openBackup(file, passphrase, fast)).toEqual(payload);
    expect(contains(payload, 'hunter2-plaintext')).toBe(true); // positive control of the search
    expect(contains(file, 'hunter2-plaintext')).toBe(false);
    expect(contains(file, 'ghcr.io')).toBe(false);
    expect((file.length - BACKUP_HEADER_BYTES - 16) % 4096).toBe(0);
    expect(readBackupHeader(file)).toMatchObject({ version: 1, keyKind: 'passphrase', size: file.length });
  });

  test('round trip under a recovery key; the passphrase does not open it and another key is refused', async () => {
    const recoveryKey = generateRecoveryKey(nacl.randomBytes);
    const file = await sealBackup(payload, { kind: 'recovery-key', recoveryKey }, fast);
    expect(await openBackup(file, { kind: 'recovery-key', recoveryKey })).toEqual(payload);
    expect(await codeOf(() => openBackup(file, passphrase, fast))).toBe('backup-wrong-key');
    const other = generateRecoveryKey(nacl.randomBytes);
    expect(await codeOf(() => openBackup(file, { kind: 'recovery-key', recoveryKey: other }))).toBe('backup-wrong-key');
  });

  test('wrong passphrase, truncated, damaged, extended, foreign and newer files each say what they are', async () => {
    const file = await sealBackup(payload, passphrase, fast);
    expect(await codeOf(() => openBackup(file, { kind: 'passphrase', passphrase: 'nope' }, fast))).toBe(
      'backup-wrong-key',
    );
    expect(await codeOf(() => openBackup(file.slice(0, file.length - 1), passphrase, fast))).toBe('backup-truncated');
    expect(await codeOf(() => openBackup(file.slice(0, 40), passphrase, fast))).toBe('backup-truncated');
    const flipped = file.slice();
    flipped[BACKUP_HEADER_BYTES + 100] = (flipped[BACKUP_HEADER_BYTES + 100] ?? 0) ^ 1;
    expect(await codeOf(() => openBackup(flipped, passphrase, fast))).toBe('backup-damaged');
    const longer = new Uint8Array(file.length + 1);
    longer.set(file);
    expect(await codeOf(() => openBackup(longer, passphrase, fast))).toBe('backup-damaged');
    expect(await codeOf(() => openBackup(encodeUtf8('{"not":"a backup"}'), passphrase, fast))).toBe('not-a-backup');
    const newer = file.slice();
    newer[8] = 2;
    expect(await codeOf(() => openBackup(newer, passphrase, fast))).toBe('backup-version');
  });

  test('a changed header field opens nothing: the header is bound into the file key', async () => {
    const file = await sealBackup(payload, passphrase, fast);
    const salted = file.slice();
    salted[20] = (salted[20] ?? 0) ^ 1;
    expect(await codeOf(() => openBackup(salted, passphrase, fast))).toBe('backup-wrong-key');
  });

  test('Argon2id parameters below the floor are refused (a file cannot lower the cost of guessing)', async () => {
    const file = await sealBackup(payload, passphrase, fast);
    expect(await codeOf(() => openBackup(file, passphrase))).toBe('weak-kdf-params');
    expect(await codeOf(() => sealBackup(payload, passphrase, { random: nacl.randomBytes, cost: testFloor }))).toBe(
      'weak-kdf-params',
    );
    expect(KDF_FLOOR.memoryKiB).toBe(65536);
  });
});
