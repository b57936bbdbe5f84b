// A seeded random workload for a simulated world: edits (some in bursts that the engine seals as one
// envelope), dropped connections, timers firing while frames are still in flight, engines stopped and
// started anew (edits made while stopped included), and otherwise one scheduler step at a time.
import { createPrng } from '../prng';
import { editDoc } from '../replicas';
import type { SimReplica } from './sim-devices';
import type { SimWorld } from './sim-world';

/** How much of each kind of activity a run has. */
export type ScriptOptions = Readonly<{
  steps: number;
  /** Chance that a step is an edit (default 0.3). */
  editChance?: number;
  /** Chance that a step drops a random open connection (default 0.02). */
  dropChance?: number;
  /** Chance that a step fires the next timer although frames are in flight: a slow network (default 0.02). */
  timerChance?: number;
  /** Chance that a step stops a running engine or starts a stopped one anew (default 0.02). */
  restartChance?: number;
}>;

/** Stops a running replica's engine, or starts a stopped one anew (edits made meanwhile are recovered then). */
async function toggle(world: SimWorld, replica: SimReplica): Promise<void> {
  const running = replica.running();
  world.scheduler.note(`${running ? 'stop' : 'start'} ${replica.device.id}`);
  await world.await(running ? replica.stop() : replica.start());
}

/** Runs the workload drawn from `seed`; resolves with the number of edits made. */
export async function runRandomScript(world: SimWorld, seed: number, options: ScriptOptions): Promise<number> {
  const prng = createPrng(seed * 7919 + 1);
  const editChance = options.editChance ?? 0.3;
  const dropChance = options.dropChance ?? 0.02;
  const timerChance = options.timerChance ?? 0.02;
  const restartChance = options.restartChance ?? 0.02;
  let edits = 0;
  for (let i = 0; i < options.steps; i++) {
    const r = prng.next();
    if (r < editChance) {
      const replica = prng.pick(world.replicas);
      const burst = prng.next() < 0.2 ? 2 + prng.int(4) : 1;
      await world.act(() => {
        world.scheduler.note(`edit ${replica.device.id} ×${burst}`);
        for (let k = 0; k < burst; k++) editDoc(replica.doc, prng, `${replica.device.id}:${edits++}`);
      });
    } else if (r < editChance + dropChance) {
      const open = world.relay.openConnections();
      if (open.length) await world.act(() => world.relay.drop(prng.pick(open)));
    } else if (r < editChance + dropChance + timerChance) {
      await world.act(() => world.clock.fireNext() && world.scheduler.note(`timer @${world.clock.now()}`));
    } else if (r < editChance + dropChance + timerChance + restartChance) {
      await toggle(world, prng.pick(world.replicas));
    } else await world.step();
  }
  for (const replica of world.replicas) if (!replica.running()) await toggle(world, replica);
  return edits;
}
