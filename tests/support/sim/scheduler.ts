// The seeded scheduler of a simulation: every frame, connection event and relay commit waits in a
// FIFO channel (one per direction of a connection, as TCP keeps order per direction), and the seeded
// PRNG picks which channel delivers next. Each delivery is written to the trace, so two runs with the
// same seed can be compared step by step.
import type { Prng } from '../prng';

type Task = Readonly<{ label: string; run: () => void }>;

/** Pending deliveries in named FIFO channels, delivered in an order drawn from a seeded PRNG. */
export type Scheduler = Readonly<{
  /** Queues `run` at the end of `channel`; `label` is what the trace records when it runs. */
  post: (channel: string, label: string, run: () => void) => void;
  /** Discards everything still queued in `channel` (a dropped connection loses what was in flight). */
  discard: (channel: string) => void;
  /** Channels with something queued, in the order they were first used. */
  busy: () => string[];
  /** Delivers the head of a channel picked by the PRNG; false when nothing is queued. */
  deliverAny: () => boolean;
  /** Delivers the head of `channel`; false when it is empty. */
  deliverFrom: (channel: string) => boolean;
  /** Records an event that is no delivery (an edit, a timer, a dropped connection). */
  note: (event: string) => void;
  /** Everything delivered or noted so far, in order. */
  trace: () => readonly string[];
}>;

/** Creates a scheduler drawing its choices from `prng`. */
export function createScheduler(prng: Prng): Scheduler {
  const channels = new Map<string, Task[]>();
  const trace: string[] = [];
  const busy = () => [...channels].filter(([, tasks]) => tasks.length > 0).map(([name]) => name);
  const deliverFrom = (channel: string): boolean => {
    const task = channels.get(channel)?.shift();
    if (!task) return false;
    trace.push(`${channel} ${task.label}`);
    task.run();
    return true;
  };
  return {
    post: (channel, label, run) => {
      const tasks = channels.get(channel) ?? [];
      channels.set(channel, tasks);
      tasks.push({ label, run });
    },
    discard: (channel) => void channels.get(channel)?.splice(0),
    busy,
    deliverAny: () => {
      const ready = busy();
      return ready.length > 0 && deliverFrom(prng.pick(ready));
    },
    deliverFrom,
    note: (event) => void trace.push(event),
    trace: () => trace,
  };
}

/** Resolves once every promise continuation queued so far (and those they queue) has run: no real I/O is pending in a simulation, so this is a quiescent point. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
