// A device offline for 1,000 edits keeps them queued (across an engine restart) and converges on
// reconnect; a device that was away while all that happened catches up from the snapshot.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { contentOf, createTestVault, startLinkedClients, waitConverged } from './clients';
import { removeDataDir, startRelayProcess, waitForStatus, waitSynced, type RelayProcess } from './harness';
import { createPrng, createSimulatedNetwork } from './network';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

test('a device offline for 1,000 edits converges on reconnect', async () => {
  const network = createSimulatedNetwork(createPrng(7), 0);
  const vault = await createTestVault();
  const [a, b, c] = await startLinkedClients({
    relayUrl: relay.url,
    vault,
    extra: 2,
    connectFor: (id) => network.connectAs(id),
    options: { snapshotEvery: 300 },
  });
  if (!a || !b || !c) throw new Error('clients missing');
  await Promise.all([waitSynced(b.client.engine), waitSynced(c.client.engine)]);
  await c.stop();

  network.setOnline(a.id, false);
  await waitForStatus(a.client.engine, (s) => s === 'offline');
  for (let i = 0; i < 1000; i++) {
    if (i === 500) {
      // The app restarts while offline: the queue comes back from storage.
      await a.restart();
      expect(a.client.engine.pendingCount()).toBe(500);
    }
    a.client.doc.transact(() => {
      a.client.doc.getMap('entries').set(`offline-${i % 50}`, `value ${i}`);
      a.client.doc.getMap<boolean>('ops').set(`a:${i}`, true);
    });
    await a.client.engine.flush();
  }
  expect(a.client.engine.pendingCount()).toBe(1000);
  expect(a.client.engine.status()).toBe('offline');
  for (let i = 0; i < 50; i++) {
    b.client.doc.transact(() => {
      b.client.doc.getMap('entries').set(`online-${i}`, `value ${i}`);
      b.client.doc.getMap<boolean>('ops').set(`b:${i}`, true);
    });
  }
  await waitSynced(b.client.engine);

  network.setOnline(a.id, true);
  await waitSynced(a.client.engine, 30_000);
  await waitConverged([a.client.doc, b.client.doc]);
  expect(a.client.doc.getMap('ops').size).toBe(1050);
  expect(a.client.engine.head()).toBeGreaterThanOrEqual(1001);

  await c.restart();
  await waitSynced(c.client.engine);
  await waitConverged([a.client.doc, b.client.doc, c.client.doc]);
  expect(contentOf(c.client.doc)).toBe(contentOf(a.client.doc));
  for (const client of [a, b, c]) await client.stop();
});
