import { createHmac } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { encodeFields, encodeUtf8, equalBytes, toHex } from './bytes';
import { deriveSubkey } from './subkey';

describe('deriveSubkey is HMAC-SHA-512 over the length-prefixed fields, truncated to 32 bytes', () => {
  const hmac = (key: Uint8Array, message: Uint8Array) => createHmac('sha512', key).update(message).digest('hex');

  it('matches node:crypto on the RFC 4231 test case 2 key', () => {
    const key = encodeUtf8('Jefe');
    const fields = encodeFields('what do ya want', encodeUtf8('for nothing?'));
    expect(toHex(deriveSubkey(key, 'what do ya want', encodeUtf8('for nothing?')))).toBe(
      hmac(key, fields).slice(0, 64),
    );
  });

  it.each([0, 1, 32, 64, 127, 128])('matches node:crypto for a %i-byte key', (keyLength) => {
    const key = nacl.randomBytes(keyLength);
    const context = nacl.randomBytes(300);
    const expected = hmac(key, encodeFields('regvault/test', 'kind', context)).slice(0, 64);
    expect(toHex(deriveSubkey(key, 'regvault/test', 'kind', context))).toBe(expected);
  });

  it('refuses keys longer than one block', () => {
    expect(() => deriveSubkey(new Uint8Array(129), 'd')).toThrow(RangeError);
  });
});

describe('deriveSubkey', () => {
  const key = nacl.randomBytes(32);

  it('gives a 32-byte key that depends on the key, the domain and every context field', () => {
    const base = deriveSubkey(key, 'd', 'vault-1', 'update');
    expect(base).toHaveLength(32);
    expect(equalBytes(base, deriveSubkey(key, 'd', 'vault-1', 'update'))).toBe(true);
    expect(equalBytes(base, deriveSubkey(nacl.randomBytes(32), 'd', 'vault-1', 'update'))).toBe(false);
    expect(equalBytes(base, deriveSubkey(key, 'e', 'vault-1', 'update'))).toBe(false);
    expect(equalBytes(base, deriveSubkey(key, 'd', 'vault-2', 'update'))).toBe(false);
    expect(equalBytes(base, deriveSubkey(key, 'd', 'vault-1', 'snapshot'))).toBe(false);
    expect(equalBytes(base, deriveSubkey(key, 'd', 'vault-1u', 'pdate'))).toBe(false);
  });
});
