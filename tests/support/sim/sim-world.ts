// A seeded simulation of one vault: N real sync engines and the real relay code in one process, joined
// by the scheduler's in-memory sockets, timed by a fake clock, stepped by the driver (sim-driver.ts)
// with the invariants checked after every step. The same seed replays the same run exactly.
import { createVault } from '../../../shared/sync/link';
import type { SyncEngineOptions } from '../../../shared/sync/engine-core';
import type { Role } from '../../../shared/sync/wire-records';
import { createPrng } from '../prng';
import { createFakeClock, type FakeClock } from './fake-clock';
import { createScheduler, type Scheduler } from './scheduler';
import { createDriver, type SimDriver } from './sim-driver';
import { createSimDevice, createSimReplica, simInvite, type SimDevice, type SimReplica } from './sim-devices';
import { checkWorld, createInvariantState } from './sim-invariants';
import { commitChannel, createSimRelay, simRelayUrl, type SimRelay } from './sim-relay';
import { valueOf } from '../../../shared/test-result';

/** How a world is set up. */
export type SimOptions = Readonly<{
  seed: number;
  /** Number of replicas, the vault's creator included (default 3). */
  replicas?: number;
  /** Engine options for every replica (e.g. `snapshotEvery`). */
  engine?: Partial<SyncEngineOptions>;
  /** Engine options of replica `index` on top of `engine` (e.g. a modified client's replica). */
  engineFor?: (index: number, vaultId: string) => Partial<SyncEngineOptions> | undefined;
  /** The role each linked device gets, in order (default: admin, as a person's own devices). */
  roles?: readonly Role[];
  /** Check the invariants (sim-invariants.ts) after every step (default true). */
  checkEveryStep?: boolean;
}>;

/** A running simulation. */
export type SimWorld = SimDriver &
  Readonly<{
    scheduler: Scheduler;
    clock: FakeClock;
    relay: SimRelay;
    vaultId: string;
    replicas: readonly SimReplica[];
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
  const clock = createFakeClock();
  const scheduler = createScheduler(createPrng(seed));
  const relay = createSimRelay(scheduler, clock, createPrng(seed ^ 0x5eed));
  const devices = Array.from({ length: options.replicas ?? 3 }, (_, i) => createSimDevice(`d${i}`, seed * 1000 + i));
  const [owner, ...others] = devices;
  if (!owner) throw new Error('a world needs at least one replica');
  const vault = await createVault(owner, owner.prng.bytes);
  const replicas: SimReplica[] = [];
  const invariants = createInvariantState();
  const relayHead = () => relay.store.headOf(vault.vaultId) ?? 0;
  const check = () => {
    const commitsPending = scheduler.busy().includes(commitChannel);
    const problem = checkWorld(
      invariants,
      { store: relay.store, ctx: relay.ctx, commitsPending },
      vault.vaultId,
      replicas,
    );
    if (problem) throw new Error(`${problem}\nlast steps:\n${scheduler.trace().slice(-15).join('\n')}`);
  };
  const driver = createDriver(scheduler, clock, options.checkEveryStep === false ? () => undefined : check);
  const addReplica = async (device: SimDevice) => {
    const replica = createSimReplica({
      device,
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      // The grant's log as far as the genesis: the rest comes verified from the relay's subscription.
      members: [vault.genesis],
      relayUrl: simRelayUrl,
      connect: relay.connectAs(device.id),
      clock,
      options: { ...options.engine, ...options.engineFor?.(replicas.length, vault.vaultId) },
    });
    replicas.push(replica);
    await driver.await(replica.start());
    return replica;
  };
  const synced = () =>
    scheduler.busy().length === 0 &&
    replicas.every((r) => r.running() && r.engine().status() === 'synced' && r.engine().head() === relayHead());
  const creator = await addReplica(owner);
  await driver.runUntil(synced);
  for (const [index, device] of others.entries()) {
    const role = options.roles?.[index] ?? 'admin';
    valueOf(await driver.await(creator.engine().authorizeDevice(simInvite(device, clock.now()), role)));
    await addReplica(device);
  }
  await driver.runUntil(synced);
  return {
    ...driver,
    scheduler,
    clock,
    relay,
    vaultId: vault.vaultId,
    replicas,
    drain: () => driver.runUntil(synced),
    relayHead,
    check,
    close: async () => {
      for (const replica of replicas) await replica.stop();
      relay.close();
    },
  };
}
