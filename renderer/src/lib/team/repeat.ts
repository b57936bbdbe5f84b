// A task run again every `ms` while it says there is more to do (an invitation waiting for the other
// side), one run at a time; stop() ends it. Used while the app is unlocked only.
import type { Clock } from '../../../../shared/sync/ports';

/** A repeating task's handle: `wake` runs it soon if it is idle, `stop` ends it for good. */
export type Repeater = Readonly<{ wake: () => void; stop: () => void }>;

/** Runs `task` every `ms` for as long as it resolves to true; `wake` starts it again after it stopped. */
export function repeatWhile(clock: Clock, ms: number, task: () => Promise<boolean>): Repeater {
  let cancel: (() => void) | null = null;
  let running = false;
  let stopped = false;
  const run = async () => {
    cancel = null;
    if (running || stopped) return;
    running = true;
    let again = false;
    try {
      again = await task();
    } catch {
      again = true; // a failed round (relay away) is tried again
    } finally {
      running = false;
    }
    if (again && !stopped) cancel = clock.schedule(ms, () => void run());
  };
  return {
    wake: () => {
      if (stopped || running || cancel) return;
      cancel = clock.schedule(0, () => void run());
    },
    stop: () => {
      stopped = true;
      cancel?.();
      cancel = null;
    },
  };
}
