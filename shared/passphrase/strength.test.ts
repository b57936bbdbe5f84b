import { describe, expect, it } from 'vitest';
import { acceptNewPassphrase, measurePassphrase } from './strength';

describe('passphrase strength', () => {
  it.each([
    ['', 0],
    ['password', 0],
    ['aaaaaaaaaaaaaaaa', 0],
    ['abcdefghijklmnop', 0],
    ['Password123!', 0],
    ['correct horse battery staple', 4],
    ['tangerine-Octopus-42-lamp', 4],
  ])('%j scores %i', (text, score) => {
    expect(measurePassphrase(text).score).toBe(score);
  });

  it('caps short passphrases below the accepted score however varied', () => {
    expect(measurePassphrase('Xq7#pL2!').score).toBeLessThanOrEqual(2);
  });

  it('refuses weak or mismatched passphrases with a reason that says what to do', () => {
    const refused = (passphrase: string, confirmation: string) => {
      const result = acceptNewPassphrase(passphrase, confirmation);
      return result.ok ? null : result.error;
    };
    expect(refused('short', 'short')).toEqual({
      code: 'passphrase-weak',
      message: expect.stringMatching(/at least 12 characters/),
    });
    expect(refused('password password password', 'password password password')?.message).toMatch(/"password"/);
    expect(refused('correct horse battery staple', 'correct horse battery stapel')).toEqual({
      code: 'passphrase-mismatch',
      message: expect.stringMatching(/do not match/),
    });
    expect(refused('correct horse battery staple', 'correct horse battery staple')).toBeNull();
  });
});
