// Seeded random interleavings against a real relay process: concurrent edits on several devices,
// devices dropping off the network and coming back, engines restarted (with edits made while
// stopped), every frame delayed by a random amount. Every run must end with identical replicas that
// lost no edit, and a device joining afterwards must reach the same state.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  contentOf,
  createTestVault,
  linkDevice,
  startLinkedClients,
  waitConverged,
  type RestartableClient,
  type TestVault,
} from './clients';
import type { ConnectSocket } from '../../../shared/sync/ports';
import {
  connectNodeSocket,
  createTestClient,
  createTestDevice,
  removeDataDir,
  startRelayProcess,
  waitSynced,
  type RelayProcess,
} from './harness';
import { createPrng, createSimulatedNetwork } from './network';
import { editDoc, opsOf } from '../../support/replicas';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

type Run = { edits: number; clients: RestartableClient[]; vault: TestVault };

async function runInterleaving(seed: number): Promise<Run> {
  const prng = createPrng(seed);
  const network = createSimulatedNetwork(createPrng(seed * 7919), 12);
  const vault = await createTestVault();
  const clients = await startLinkedClients({
    relayUrl: relay.url,
    vault,
    extra: 3,
    connectFor: (id) => network.connectAs(id),
    // Small snapshot interval on odd seeds: snapshots, pruning and catch-up from a snapshot get exercised.
    options: { snapshotEvery: seed % 2 ? 25 : 300 },
  });
  let edits = 0;
  for (let step = 0; step < 160; step++) {
    const c = prng.pick(clients);
    const r = prng.next();
    if (r < 0.7) {
      const burst = prng.next() < 0.2 ? 1 + prng.int(8) : 1;
      for (let i = 0; i < burst; i++) editDoc(c.client.doc, prng, `${c.id}:${edits++}`);
    } else if (r < 0.85) {
      network.setOnline(c.id, !network.isOnline(c.id));
    } else if (r < 0.93) {
      if (c.running) await c.stop();
      else await c.restart();
    }
    // User think time: lets the (delayed) network make progress between some steps.
    if (prng.next() < 0.5) await new Promise((resolve) => setTimeout(resolve, prng.int(4)));
  }
  for (const c of clients) {
    network.setOnline(c.id, true);
    if (!c.running) await c.restart();
  }
  try {
    await Promise.all(clients.map((c) => waitSynced(c.client.engine, 15_000)));
    await waitConverged(
      clients.map((c) => c.client.doc),
      10_000,
    );
  } catch (error) {
    const states = clients.map(
      (c) =>
        `${c.id}: ${JSON.stringify(c.client.engine.status())} head ${c.client.engine.head()} ops ${c.client.doc.getMap('ops').size}`,
    );
    throw new Error(`${String(error)} (${edits} edits)\n${states.join('\n')}`);
  }
  return { edits, clients, vault };
}

describe.each([1, 2, 3, 4, 5, 6])('seed %i', (seed) => {
  test('replicas converge with every edit kept; a late device catches up', async () => {
    const { edits, clients, vault } = await runInterleaving(seed);
    const [owner] = clients;
    if (!owner) throw new Error('no owner');
    const reference = contentOf(owner.client.doc);
    for (const c of clients) {
      expect(contentOf(c.client.doc)).toBe(reference);
      expect(c.client.doc.getMap('ops').size).toBe(edits);
    }
    expect(new Set(opsOf(owner.client.doc)).size).toBe(edits);

    const late = createTestDevice();
    const members = await linkDevice(relay.url, owner.client, late);
    const frames: string[] = [];
    const counting: ConnectSocket = (url, handlers) =>
      connectNodeSocket(url, {
        ...handlers,
        onMessage: (data) => (frames.push(String(data).slice(0, 12)), handlers.onMessage(data)),
      });
    const joiner = createTestClient({
      relayUrl: relay.url,
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      device: late,
      members,
      connect: counting,
    });
    await joiner.engine.start();
    await waitConverged([owner.client.doc, joiner.doc]);
    expect(contentOf(joiner.doc)).toBe(reference);
    // With a snapshot every 25 envelopes the relay pruned the log: the joiner starts from the snapshot.
    expect(frames.some((f) => f.startsWith('{"t":"snap"'))).toBe(seed % 2 === 1);
    await joiner.engine.stop();
    for (const c of clients) await c.stop();
  });
});
