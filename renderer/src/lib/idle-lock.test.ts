import { describe, expect, it } from 'vitest';
import { startIdleLock } from './idle-lock';

function clock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.push({ at: now + ms, fn, id: ++id });
      return id;
    },
    clearTimeout: (handle: number) => {
      timers = timers.filter((t) => t.id !== handle);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((t) => t !== next);
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

describe('idle lock', () => {
  it('fires after the idle time with no activity, once', () => {
    const time = clock();
    const target = new EventTarget();
    let locked = 0;
    startIdleLock(target, 10, () => locked++, time);
    time.advance(10 * 60_000 - 1);
    expect(locked).toBe(0);
    time.advance(1);
    expect(locked).toBe(1);
    time.advance(60 * 60_000);
    expect(locked).toBe(1);
  });

  it('activity pushes the lock back; stopping it cancels', () => {
    const time = clock();
    const target = new EventTarget();
    let locked = 0;
    const stop = startIdleLock(target, 1, () => locked++, time);
    time.advance(50_000);
    target.dispatchEvent(new Event('keydown'));
    time.advance(50_000);
    expect(locked).toBe(0);
    time.advance(10_000);
    expect(locked).toBe(1);
    const time2 = clock();
    const stop2 = startIdleLock(target, 1, () => locked++, time2);
    stop2();
    time2.advance(120_000);
    expect(locked).toBe(1);
    stop();
  });
});
