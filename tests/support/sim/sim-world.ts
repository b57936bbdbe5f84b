// A seeded simulation of one vault: N real sync engines and the real relay code in one process, joined
// by the scheduler's in-memory sockets, timed by a fake clock. The driver takes one step at a time — a
// delivery the seed picks, or the next timer when nothing is in flight — and lets every promise
// continuation run before the next step, so the same seed replays the same run exactly.
import { createVault } from '../../../shared/sync/link';
import type { SyncEngineOptions } from '../../../shared/sync/engine-core';
import { createPrng } from '../prng';
import { createFakeClock, type FakeClock } from './fake-clock';
import { createScheduler, settle, type Scheduler } from './scheduler';
import { createSimDevice, createSimReplica, simInvite, type SimReplica } from './sim-devices';
import { checkWorld, createInvariantState } from './sim-invariants';
import { commitChannel, createSimRelay, simRelayUrl, type SimRelay } from './sim-relay';

/** How a world is set up. */
export type SimOptions = Readonly<{
  seed: number;
  /** Number of replicas, the vault's creator included (default 3). */
  replicas?: number;
  /** Engine options for every replica (e.g. `snapshotEvery`). */
  engine?: Partial<SyncEngineOptions>;
  /** Check the invariants (sim-invariants.ts) after every step (default true). */
  checkEveryStep?: boolean;
}>;

/** A running simulation. */
export type SimWorld = Readonly<{
  scheduler: Scheduler;
  clock: FakeClock;
  relay: SimRelay;
  vaultId: string;
  replicas: readonly SimReplica[];
  /** One step: a delivery picked by the seed, else the next timer; then every continuation runs. */
  step: () => Promise<void>;
  /** Runs `run` and lets every continuation run, then checks the invariants. */
  act: (run: () => void) => Promise<void>;
  /** Steps until `done()` holds; throws after `maxSteps`. */
  runUntil: (done: () => boolean, maxSteps?: number) => Promise<void>;
  /** Steps until `promise` settles and returns its value. */
  await: <T>(promise: Promise<T>) => Promise<T>;
  /** Steps until nothing is in flight and every replica is synced at the relay's head. */
  drain: () => Promise<void>;
  /** The relay's committed head of the vault. */
  relayHead: () => number;
  /** Checks the invariants now (throws with the end of the trace when one fails). */
  check: () => void;
  /** Stops every engine and closes the relay's database. */
  close: () => Promise<void>;
}>;

/** Builds the world: the creator's replica first, then each other device linked by it and started. */
export async function createSimWorld(options: SimOptions): Promise<SimWorld> {
  const { seed } = options;
  const count = options.replicas ?? 3;
  const clock = createFakeClock();
  const scheduler = createScheduler(createPrng(seed));
  const relay = createSimRelay(scheduler, clock, createPrng(seed ^ 0x5eed));
  const devices = Array.from({ length: count }, (_, i) => createSimDevice(`d${i}`, seed * 1000 + i));
  const [owner] = devices;
  if (!owner) throw new Error('a world needs at least one replica');
  const vault = await createVault(owner, owner.prng.bytes);
  const replicas: SimReplica[] = [];
  const invariants = createInvariantState();
  const relayHead = () => relay.store.headOf(vault.vaultId) ?? 0;
  const check = () => {
    const commitsPending = scheduler.busy().includes(commitChannel);
    const problem = checkWorld(invariants, { ctx: relay.ctx, commitsPending }, vault.vaultId, replicas);
    if (problem) throw new Error(`${problem}\nlast steps:\n${scheduler.trace().slice(-15).join('\n')}`);
  };
  const afterStep = async () => {
    await settle();
    if (options.checkEveryStep ?? true) check();
  };
  const step = async () => {
    if (!scheduler.deliverAny()) {
      if (!clock.fireNext()) throw new Error('nothing in flight and no timer: the simulation is stuck');
      scheduler.note(`timer @${clock.now()}`);
    }
    await afterStep();
  };
  const runUntil = async (done: () => boolean, maxSteps = 20_000) => {
    for (let i = 0; !done(); i++) {
      if (i >= maxSteps) throw new Error(`not done after ${maxSteps} steps`);
      await step();
    }
  };
  const awaitSteps = async <T>(promise: Promise<T>): Promise<T> => {
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
  };
  const addReplica = async (i: number) => {
    const device = devices[i];
    if (!device) return;
    const replica = createSimReplica({
      device,
      clientId: 1000 + i,
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      // The grant's log as far as the genesis: the rest comes verified from the relay's subscription.
      members: [vault.genesis],
      relayUrl: simRelayUrl,
      connect: relay.connectAs(device.id),
      clock,
      ...(options.engine ? { options: options.engine } : {}),
    });
    replicas.push(replica);
    await awaitSteps(replica.engine.start());
  };
  const synced = () =>
    scheduler.busy().length === 0 &&
    replicas.every((r) => r.engine.status() === 'synced' && r.engine.head() === relayHead());
  await addReplica(0);
  await runUntil(synced);
  const creator = replicas[0];
  for (let i = 1; i < count; i++) {
    const device = devices[i];
    if (!creator || !device) break;
    await awaitSteps(creator.engine.authorizeDevice(simInvite(device, clock.now())));
    await addReplica(i);
  }
  await runUntil(synced);
  return {
    scheduler,
    clock,
    relay,
    vaultId: vault.vaultId,
    replicas,
    step,
    act: async (run) => {
      run();
      await afterStep();
    },
    runUntil,
    await: awaitSteps,
    drain: () => runUntil(synced),
    relayHead,
    check,
    close: async () => {
      for (const replica of replicas) await replica.engine.stop();
      relay.close();
    },
  };
}
