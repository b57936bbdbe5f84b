import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { equalBytes } from './bytes';
import { isVaultError } from './errors';
import { KDF_FLOOR, type KdfCost } from './kdf';
import {
  changePassphrase,
  createProfileKeys,
  generateVaultKey,
  unlockProfileKeys,
  unwrapVaultKey,
  wipeProfileKeys,
  wrapVaultKey,
  type ProfileKeys,
} from './profile-keys';

const random = nacl.randomBytes;
const testFloor: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const fast = { random, target: testFloor, testOnlyKdfFloor: testFloor } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isVaultError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

function sameKeys(a: ProfileKeys, b: ProfileKeys): boolean {
  return (
    equalBytes(a.masterKey, b.masterKey) &&
    equalBytes(a.identity.signing.secretKey, b.identity.signing.secretKey) &&
    equalBytes(a.identity.exchange.secretKey, b.identity.exchange.secretKey)
  );
}

describe('profile keys with the real default parameters', () => {
  it('creates at 64 MiB / t=3 / p=1 and unlocks with the passphrase only', async () => {
    const { record, keys } = await createProfileKeys('long enough passphrase', KDF_FLOOR, { random });
    expect(record.kdf).toMatchObject({ memoryKiB: 65536, iterations: 3, parallelism: 1 });
    const unlocked = await unlockProfileKeys(record, 'long enough passphrase', { random });
    expect(unlocked.upgraded).toBeNull();
    expect(sameKeys(unlocked.keys, keys)).toBe(true);
    expect(await codeOf(unlockProfileKeys(record, 'long enough passphrasE', { random }))).toBe('wrong-passphrase');
  });
});

describe('profile keys', () => {
  it('gives working identity key pairs', async () => {
    const { keys } = await createProfileKeys('pw', testFloor, fast);
    const message = Uint8Array.of(1, 2, 3);
    const signature = nacl.sign.detached(message, keys.identity.signing.secretKey);
    expect(nacl.sign.detached.verify(message, signature, keys.identity.signing.publicKey)).toBe(true);
    const peer = nacl.box.keyPair();
    const nonce = random(24);
    const box = nacl.box(message, nonce, peer.publicKey, keys.identity.exchange.secretKey);
    expect(nacl.box.open(box, nonce, keys.identity.exchange.publicKey, peer.secretKey)).toEqual(message);
  });

  it('refuses a wrong passphrase and one with weakened stored parameters', async () => {
    const { record } = await createProfileKeys('pw', KDF_FLOOR, { random, target: KDF_FLOOR });
    expect(await codeOf(unlockProfileKeys(record, 'wrong', fast))).toBe('wrong-passphrase');
    const weakened = { ...record, kdf: { ...record.kdf, memoryKiB: 1024, iterations: 1 } };
    expect(await codeOf(unlockProfileKeys(weakened, 'pw', { random }))).toBe('weak-kdf-params');
  });

  it('reports damaged identity keys as damaged, not as a wrong passphrase', async () => {
    const { record } = await createProfileKeys('pw', testFloor, fast);
    const wrappedIdentity = record.wrappedIdentity.slice();
    wrappedIdentity[30] = (wrappedIdentity[30] ?? 0) ^ 1;
    expect(await codeOf(unlockProfileKeys({ ...record, wrappedIdentity }, 'pw', fast))).toBe('damaged');
  });

  it('changes the passphrase by re-wrapping the master key only', async () => {
    const { record, keys } = await createProfileKeys('old pw', testFloor, fast);
    expect(await codeOf(changePassphrase(record, 'not it', 'new pw', fast))).toBe('wrong-passphrase');
    expect(await codeOf(changePassphrase(record, 'old pw', '', fast))).toBe('empty-passphrase');
    const changed = await changePassphrase(record, 'old pw', 'new pw', fast);
    expect(changed.wrappedIdentity).toBe(record.wrappedIdentity);
    expect(equalBytes(changed.kdf.salt, record.kdf.salt)).toBe(false);
    expect(await codeOf(unlockProfileKeys(changed, 'old pw', fast))).toBe('wrong-passphrase');
    const unlocked = await unlockProfileKeys(changed, 'new pw', fast);
    expect(sameKeys(unlocked.keys, keys)).toBe(true);
  });

  it('upgrades parameters below the current target on unlock, keeping the keys', async () => {
    const { record, keys } = await createProfileKeys('pw', testFloor, fast);
    const target: KdfCost = { memoryKiB: 256, iterations: 2, parallelism: 1 };
    const first = await unlockProfileKeys(record, 'pw', { ...fast, target });
    expect(first.upgraded?.kdf).toMatchObject(target);
    expect(sameKeys(first.keys, keys)).toBe(true);
    if (first.upgraded === null) throw new Error('expected an upgrade');
    const second = await unlockProfileKeys(first.upgraded, 'pw', { ...fast, target });
    expect(second.upgraded).toBeNull();
    expect(sameKeys(second.keys, keys)).toBe(true);
    expect(await codeOf(unlockProfileKeys(first.upgraded, 'wrong', { ...fast, target }))).toBe('wrong-passphrase');
  });

  it('never lowers stronger stored parameters', async () => {
    const strong: KdfCost = { memoryKiB: 512, iterations: 3, parallelism: 1 };
    const { record } = await createProfileKeys('pw', strong, fast);
    expect(record.kdf).toMatchObject(strong);
    expect((await unlockProfileKeys(record, 'pw', fast)).upgraded).toBeNull();
    expect((await changePassphrase(record, 'pw', 'pw2', fast)).kdf).toMatchObject(strong);
  });

  it('wipes every secret', async () => {
    const { keys } = await createProfileKeys('pw', testFloor, fast);
    wipeProfileKeys(keys);
    for (const secret of [keys.masterKey, keys.identity.signing.secretKey, keys.identity.exchange.secretKey]) {
      expect(secret.every((b) => b === 0)).toBe(true);
    }
  });
});

describe('vault keys', () => {
  it('unwrap only for the vault and epoch they were wrapped for', () => {
    const masterKey = random(32);
    const vaultKey = generateVaultKey(random);
    const wrapped = wrapVaultKey(vaultKey, masterKey, 'v1', 0, random);
    expect(equalBytes(unwrapVaultKey(wrapped, masterKey, 'v1', 0), vaultKey)).toBe(true);
    expect(() => unwrapVaultKey(wrapped, masterKey, 'v2', 0)).toThrow(expect.objectContaining({ code: 'damaged' }));
    expect(() => unwrapVaultKey(wrapped, masterKey, 'v1', 1)).toThrow(expect.objectContaining({ code: 'damaged' }));
    expect(() => unwrapVaultKey(wrapped, random(32), 'v1', 0)).toThrow(
      expect.objectContaining({ subject: { what: 'vault-key', vaultId: 'v1' } }),
    );
  });
});
