// The driver of a simulation: one step at a time — a delivery the seed picks, or the next timer when
// nothing is in flight — and after each step every promise continuation runs and the world is checked.
import type { FakeClock } from './fake-clock';
import { settle, type Scheduler } from './scheduler';

/** Stepping through a simulation. */
export type SimDriver = Readonly<{
  /** One step: a delivery picked by the seed, else the next timer; then every continuation runs. False: nothing could happen. */
  step: () => Promise<boolean>;
  /** Runs `run` and lets every continuation run, then checks the world. */
  act: (run: () => void) => Promise<void>;
  /** Steps until `done()` holds; throws after `maxSteps`. */
  runUntil: (done: () => boolean, maxSteps?: number) => Promise<void>;
  /** Steps until `promise` settles and returns its value (or throws its error). */
  await: <T>(promise: Promise<T>) => Promise<T>;
}>;

/** Creates a driver over `scheduler` and `clock` that calls `check` after every step. */
export function createDriver(scheduler: Scheduler, clock: FakeClock, check: () => void): SimDriver {
  const afterStep = async () => {
    await settle();
    check();
  };
  const step = async () => {
    if (!scheduler.deliverAny()) {
      if (!clock.fireNext()) return false;
      scheduler.note(`timer @${clock.now()}`);
    }
    await afterStep();
    return true;
  };
  const runUntil = async (done: () => boolean, maxSteps = 20_000) => {
    for (let i = 0; !done(); i++) {
      if (i >= maxSteps) throw new Error(`not done after ${maxSteps} steps`);
      if (!(await step())) throw new Error('nothing in flight and no timer: the simulation is stuck');
    }
  };
  return {
    step,
    act: async (run) => {
      run();
      await afterStep();
    },
    runUntil,
    await: async <T>(promise: Promise<T>): Promise<T> => {
      const outcome: { settled?: { value: T } | { error: unknown } } = {};
      void promise.then(
        (value) => (outcome.settled = { value }),
        (error: unknown) => (outcome.settled = { error }),
      );
      await afterStep();
      await runUntil(() => outcome.settled !== undefined);
      const settled = outcome.settled;
      if (!settled || 'error' in settled) throw settled?.error;
      return settled.value;
    },
  };
}
