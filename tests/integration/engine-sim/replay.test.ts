// A seed is a complete description of a simulated run: the same seed delivers the same frames, byte for
// byte, in the same order (so a failing interleaving is replayed from its seed alone); another seed
// takes another path.
import { expect, test } from 'vitest';
import { contentOf } from '../../support/replicas';
import { runRandomScript } from '../../support/sim/sim-script';
import { createSimWorld } from '../../support/sim/sim-world';

async function traceOf(seed: number): Promise<{ trace: readonly string[]; content: string }> {
  const world = await createSimWorld({ seed, engine: { snapshotEvery: 10 } });
  await runRandomScript(world, seed, { steps: 250 });
  await world.drain();
  const trace = [...world.scheduler.trace()];
  const content = world.replicas.map((replica) => contentOf(replica.doc)).join('\n');
  await world.close();
  return { trace, content };
}

test('the same seed replays the identical trace; another seed gives another', async () => {
  const first = await traceOf(11);
  const again = await traceOf(11);
  const other = await traceOf(12);

  // A trace worth comparing: frames of every kind, timers, dropped connections and restarted engines.
  const kinds = [
    '"t":"hello"',
    '"t":"publish"',
    '"t":"ack"',
    '"t":"env"',
    '"t":"snapshot"',
    'timer @',
    'drop ',
    'stop d',
  ];
  for (const kind of kinds)
    expect(
      first.trace.some((line) => line.includes(kind)),
      kind,
    ).toBe(true);
  expect(first.trace.length).toBeGreaterThan(300);

  expect(again.trace).toEqual(first.trace);
  expect(again.content).toBe(first.content);
  expect(other.trace).not.toEqual(first.trace);
});
