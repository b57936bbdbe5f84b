import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { encodeUtf8, equalBytes } from './bytes';
import { VaultError } from './errors';
import { z } from 'zod';
import {
  openJsonRecord,
  openRecord,
  sealJsonRecord,
  sealRecord,
  tryOpenRecord,
  unwrapKey,
  wrapKey,
  type RecordBinding,
} from './seal';

const random = nacl.randomBytes;
const key = random(32);
const plaintext = encodeUtf8('{"registry":"ghcr.io","secret":"ghp_x"}');
const update: RecordBinding = { kind: 'vault-update', vaultId: 'vault-a', epoch: 0, seq: 7 };

function damagedOf(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error('expected a VaultError');
}

describe('sealRecord / openRecord', () => {
  it('round-trips and adds exactly 41 bytes (format byte, nonce, MAC)', () => {
    const sealed = sealRecord(plaintext, key, update, random);
    expect(sealed).toHaveLength(plaintext.length + 41);
    expect(equalBytes(openRecord(sealed, key, update), plaintext)).toBe(true);
  });

  it('uses a fresh nonce every time', () => {
    const a = sealRecord(plaintext, key, update, random);
    const b = sealRecord(plaintext, key, update, random);
    expect(equalBytes(a, b)).toBe(false);
  });

  it('detects a flipped bit at every position, including the format byte and nonce', () => {
    const sealed = sealRecord(plaintext, key, update, random);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = sealed.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      expect(tryOpenRecord(tampered, key, update), `byte ${i}`).toBeNull();
    }
  });

  it('detects truncation and appended bytes', () => {
    const sealed = sealRecord(plaintext, key, update, random);
    expect(tryOpenRecord(sealed.subarray(0, sealed.length - 1), key, update)).toBeNull();
    expect(tryOpenRecord(new Uint8Array([...sealed, 0]), key, update)).toBeNull();
    expect(tryOpenRecord(sealed.subarray(0, 10), key, update)).toBeNull();
  });

  it('refuses a record opened with the wrong key', () => {
    const sealed = sealRecord(plaintext, key, update, random);
    expect(tryOpenRecord(sealed, random(32), update)).toBeNull();
  });

  it.each<[string, RecordBinding]>([
    ['another vault', { ...update, vaultId: 'vault-b' }],
    ['another kind', { kind: 'vault-snapshot', vaultId: 'vault-a', epoch: 0, seq: 7 }],
    ['another log position', { ...update, seq: 8 }],
    ['another epoch', { ...update, epoch: 1 }],
  ])('refuses a record moved to %s', (_name, moved) => {
    const sealed = sealRecord(plaintext, key, update, random);
    expect(tryOpenRecord(sealed, key, moved)).toBeNull();
  });

  it('names the damaged record in the error', () => {
    const sealed = sealRecord(plaintext, key, update, random);
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 0xff;
    const error = damagedOf(() => openRecord(sealed, key, update));
    expect(error.code).toBe('damaged');
    expect(error.number).toBe(301);
    expect(error.subject).toEqual({ what: 'vault-update', vaultId: 'vault-a', seq: 7 });
    expect(error.message).toContain('change #7 of vault vault-a');
  });

  it('refuses a meta record presented as the vault key of the same vault', () => {
    const meta = sealRecord(random(32), key, { kind: 'vault-meta', vaultId: 'v', epoch: 0 }, random);
    const error = damagedOf(() => unwrapKey(meta, key, { kind: 'vault-key', vaultId: 'v', epoch: 0 }));
    expect(error.subject).toEqual({ what: 'vault-key', vaultId: 'v' });
  });
});

describe('wrapKey / unwrapKey', () => {
  it('wraps only 32-byte keys and unwraps them bound to their place', () => {
    const vaultKey = random(32);
    const binding: RecordBinding = { kind: 'vault-key', vaultId: 'v1', epoch: 0 };
    const wrapped = wrapKey(vaultKey, key, binding, random);
    expect(equalBytes(unwrapKey(wrapped, key, binding), vaultKey)).toBe(true);
    expect(() => unwrapKey(wrapped, key, { ...binding, vaultId: 'v2' })).toThrow(VaultError);
    expect(() => wrapKey(random(16), key, binding, random)).toThrow(RangeError);
  });

  it('refuses an authentic record of the wrong length as a key', () => {
    const binding: RecordBinding = { kind: 'vault-key', vaultId: 'v1', epoch: 0 };
    const notAKey = sealRecord(random(31), key, binding, random);
    expect(damagedOf(() => unwrapKey(notAKey, key, binding)).code).toBe('damaged');
  });
});

describe('sync record kinds', () => {
  const pending: RecordBinding = { kind: 'sync-pending', vaultId: 'vault-a', epoch: 0, seq: 7 };

  it.each<[string, RecordBinding]>([
    ['the log record of the same place', update],
    ['another counter', { ...pending, seq: 8 }],
    ['another vault', { ...pending, vaultId: 'vault-b' }],
    ['the cursor of the same vault', { kind: 'sync-cursor', vaultId: 'vault-a', epoch: 0 }],
  ])('refuses a queued envelope moved to %s', (_name, moved) => {
    const sealed = sealRecord(plaintext, key, pending, random);
    expect(tryOpenRecord(sealed, key, moved)).toBeNull();
    expect(tryOpenRecord(sealRecord(plaintext, key, moved, random), key, pending)).toBeNull();
  });

  it('parses JSON records with a schema and reports sync state, not entries, as damaged', () => {
    const cursor: RecordBinding = { kind: 'sync-cursor', vaultId: 'vault-a', epoch: 0 };
    const schema = z.object({ head: z.number() });
    expect(openJsonRecord(sealJsonRecord({ head: 3 }, key, cursor, random), key, cursor, schema)).toEqual({ head: 3 });
    const error = damagedOf(() =>
      openJsonRecord(sealJsonRecord({ head: 'x' }, key, cursor, random), key, cursor, schema),
    );
    expect(error.subject).toEqual({ what: 'vault-sync', vaultId: 'vault-a' });
    expect(error.message).toContain('the sync state of vault vault-a');
    expect(error.message).toContain('turn sync off and on again');
  });
});
