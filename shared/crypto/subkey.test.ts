import { createHmac } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { encodeUtf8, equalBytes, toHex } from './bytes';
import { deriveSubkey, hmacSha512 } from './subkey';

describe('hmacSha512', () => {
  it('matches RFC 4231 test case 2', () => {
    const mac = hmacSha512(encodeUtf8('Jefe'), encodeUtf8('what do ya want for nothing?'));
    expect(toHex(mac)).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it.each([0, 1, 32, 64, 127, 128])('matches node:crypto for a %i-byte key', (keyLength) => {
    const key = nacl.randomBytes(keyLength);
    const message = nacl.randomBytes(300);
    const expected = createHmac('sha512', key).update(message).digest('hex');
    expect(toHex(hmacSha512(key, message))).toBe(expected);
  });

  it('refuses keys longer than one block', () => {
    expect(() => hmacSha512(new Uint8Array(129), new Uint8Array(1))).toThrow(RangeError);
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
