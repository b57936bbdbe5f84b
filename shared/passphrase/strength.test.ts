import { describe, expect, it } from 'vitest';
import { measurePassphrase, refusePassphrase } from './strength';

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
    expect(refusePassphrase('short', 'short')).toMatch(/at least 12 characters/);
    expect(refusePassphrase('password password password', 'password password password')).toMatch(/"password"/);
    expect(refusePassphrase('correct horse battery staple', 'correct horse battery stapel')).toMatch(/do not match/);
    expect(refusePassphrase('correct horse battery staple', 'correct horse battery staple')).toBeNull();
  });
});
