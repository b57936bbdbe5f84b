import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import { isVaultError } from './errors';
import {
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  unwrapMasterKeyWithRecovery,
  wrapMasterKeyForRecovery,
} from './recovery-key';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isVaultError(error) ? error.code : 'other';
  }
  return undefined;
}

describe('recovery key', () => {
  test('formats as 14 groups of 4 and reads back, forgiving case, spaces and look-alike letters', () => {
    const key = generateRecoveryKey(nacl.randomBytes);
    const text = formatRecoveryKey(key);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){13}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseRecoveryKey(text)).toEqual(key);
    const sloppy = text.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseRecoveryKey(sloppy)).toEqual(key);
  });

  test('a typo or a short key is refused as invalid (the checksum), never taken as another key', () => {
    const text = formatRecoveryKey(generateRecoveryKey(nacl.randomBytes));
    const typo = (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    expect(codeOf(() => parseRecoveryKey(typo))).toBe('invalid-recovery-key');
    expect(codeOf(() => parseRecoveryKey(text.slice(0, -5)))).toBe('invalid-recovery-key');
    expect(codeOf(() => parseRecoveryKey('correct horse battery staple'))).toBe('invalid-recovery-key');
  });

  test('unwraps the master key it wrapped; another recovery key is refused', () => {
    const master = nacl.randomBytes(32);
    const key = generateRecoveryKey(nacl.randomBytes);
    const wrapped = wrapMasterKeyForRecovery(master, key, nacl.randomBytes);
    expect(unwrapMasterKeyWithRecovery(wrapped, key)).toEqual(master);
    const other = generateRecoveryKey(nacl.randomBytes);
    expect(codeOf(() => unwrapMasterKeyWithRecovery(wrapped, other))).toBe('wrong-recovery-key');
  });
});
