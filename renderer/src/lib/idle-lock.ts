/** Timer functions the idle lock uses; tests pass fake ones. */
export type IdleTimers = Readonly<{
  setTimeout: (fn: () => void, ms: number) => number;
  clearTimeout: (handle: number) => void;
  now: () => number;
}>;

const activityEvents = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'focus'] as const;

/**
 * Calls `onIdle` once the user has done nothing for `minutes`. Activity is sampled, not
 * re-armed on every mouse move: the timer is checked against the last activity when it fires.
 */
export function startIdleLock(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  minutes: number,
  onIdle: () => void,
  timers: IdleTimers = {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (h) => window.clearTimeout(h),
    now: () => Date.now(),
  },
): () => void {
  const limit = minutes * 60_000;
  let last = timers.now();
  let handle = 0;
  const markActive = () => {
    last = timers.now();
  };
  const check = () => {
    const idle = timers.now() - last;
    if (idle >= limit) onIdle();
    else handle = timers.setTimeout(check, limit - idle);
  };
  for (const name of activityEvents) target.addEventListener(name, markActive, { passive: true, capture: true });
  handle = timers.setTimeout(check, limit);
  return () => {
    timers.clearTimeout(handle);
    for (const name of activityEvents) target.removeEventListener(name, markActive, { capture: true });
  };
}
