// A clock for simulations: time stands still until the driver advances it to the next due timer, so
// reconnect backoff, request timeouts and the ack watch fire at the same point of every replay.
import type { Clock } from '../../../shared/sync/ports';

type Timer = { at: number; order: number; callback: () => void };

/** A `Clock` whose time moves only through `fireNext`. */
export type FakeClock = Clock &
  Readonly<{
    /** Timers scheduled and not yet fired or cancelled. */
    pending: () => number;
    /** Moves time to the earliest due timer and runs it (ties in scheduling order); false when none is left. */
    fireNext: () => boolean;
  }>;

/** Creates a fake clock starting at `start` ms since the epoch. */
export function createFakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start;
  let order = 0;
  const timers = new Set<Timer>();
  const earliest = (): Timer | undefined => {
    let first: Timer | undefined;
    for (const timer of timers) {
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) first = timer;
    }
    return first;
  };
  return {
    now: () => now,
    schedule: (ms, callback) => {
      const timer = { at: now + Math.max(0, ms), order: order++, callback };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    pending: () => timers.size,
    fireNext: () => {
      const timer = earliest();
      if (!timer) return false;
      timers.delete(timer);
      now = Math.max(now, timer.at);
      timer.callback();
      return true;
    },
  };
}
