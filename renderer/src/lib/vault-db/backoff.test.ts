import { describe, expect, it } from 'vitest';
import { MAX_UNLOCK_DELAY_MS, remainingUnlockDelay, unlockDelayAfter } from './backoff';

describe('unlock back-off', () => {
  it('lets three attempts through, then waits 1 s, doubling, capped at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100].map(unlockDelayAfter)).toEqual([
      0, 0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('counts the remaining wait from the stored deadline, never beyond the cap', () => {
    expect(remainingUnlockDelay(0, 5000)).toBe(0);
    expect(remainingUnlockDelay(6000, 5000)).toBe(1000);
    expect(remainingUnlockDelay(4000, 5000)).toBe(0);
    expect(remainingUnlockDelay(5000 + 10 * MAX_UNLOCK_DELAY_MS, 5000)).toBe(MAX_UNLOCK_DELAY_MS);
    expect(remainingUnlockDelay(Number.NaN, 5000)).toBe(0);
  });
});
