// Unlock back-off: a speed bump against someone at the keyboard guessing. It is no defence against a copy
// of the database (the counters are cleartext); Argon2id's cost is what protects the vault offline.

/** Wrong passphrases allowed before the first wait. */
export const FREE_UNLOCK_ATTEMPTS = 3;

/** The first wait, in ms; it doubles with every further failure. */
export const FIRST_UNLOCK_DELAY_MS = 1000;

/** The longest wait, in ms. */
export const MAX_UNLOCK_DELAY_MS = 30_000;

/** How long to wait after `failures` wrong passphrases in a row: 0, 0, 1 s, 2 s, 4 s … capped at 30 s. */
export function unlockDelayAfter(failures: number): number {
  if (failures < FREE_UNLOCK_ATTEMPTS) return 0;
  const doublings = Math.min(failures - FREE_UNLOCK_ATTEMPTS, 16);
  return Math.min(MAX_UNLOCK_DELAY_MS, FIRST_UNLOCK_DELAY_MS * 2 ** doublings);
}

/** Ms left before unlock may be tried, never more than the cap (a clock set back must not lock anyone out). */
export function remainingUnlockDelay(retryAfter: number, now: number): number {
  if (!Number.isFinite(retryAfter) || retryAfter <= now) return 0;
  return Math.min(MAX_UNLOCK_DELAY_MS, retryAfter - now);
}
