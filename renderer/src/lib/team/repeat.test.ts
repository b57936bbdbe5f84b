import { expect, test } from 'vitest';
import type { Clock } from '../../../../shared/sync/ports';
import { repeatWhile } from './repeat';

// A clock whose timers run only when the test says so.
function manualClock() {
  const timers: { fn: () => void; cancelled: boolean }[] = [];
  const clock: Clock = {
    now: () => 0,
    schedule: (_ms, fn) => {
      const timer = { fn, cancelled: false };
      timers.push(timer);
      return () => (timer.cancelled = true);
    },
  };
  const fire = async () => {
    const due = timers.splice(0).filter((t) => !t.cancelled);
    for (const timer of due) timer.fn();
    await Promise.resolve();
    await Promise.resolve();
  };
  return { clock, fire, pending: () => timers.filter((t) => !t.cancelled).length };
}

test('runs while the task says there is more, survives a failed round, and stops for good', async () => {
  const { clock, fire, pending } = manualClock();
  const answers = [true, 'throw', false] as const;
  let runs = 0;
  const loop = repeatWhile(clock, 100, () => {
    const answer = answers[runs++];
    return answer === 'throw' ? Promise.reject(new Error('relay away')) : Promise.resolve(answer ?? false);
  });
  expect(pending()).toBe(0);
  loop.wake();
  loop.wake(); // one run at a time
  expect(pending()).toBe(1);
  for (let i = 0; i < 3; i++) await fire();
  expect(runs).toBe(3);
  expect(pending()).toBe(0);
  loop.wake();
  loop.stop();
  await fire();
  expect(runs).toBe(3);
});
