// A seeded random workload for a simulated world: edits (some in bursts that the engine seals as one
// envelope), dropped connections, and otherwise one scheduler step at a time.
import { createPrng } from '../prng';
import { editDoc } from '../replicas';
import type { SimWorld } from './sim-world';

/** How much of each kind of activity a run has. */
export type ScriptOptions = Readonly<{
  steps: number;
  /** Chance that a step is an edit (default 0.3). */
  editChance?: number;
  /** Chance that a step drops a random open connection (default 0.02). */
  dropChance?: number;
}>;

/** Runs the workload drawn from `seed`; resolves with the number of edits made. */
export async function runRandomScript(world: SimWorld, seed: number, options: ScriptOptions): Promise<number> {
  const prng = createPrng(seed * 7919 + 1);
  const editChance = options.editChance ?? 0.3;
  const dropChance = options.dropChance ?? 0.02;
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
    } else await world.step();
  }
  return edits;
}
