// Three relay nodes over one PostgreSQL database: clients spread across them converge under seeded
// concurrent edits; a node SIGKILLed mid-stream loses nothing acknowledged and its clients fail over
// to the others; concurrent publishes through two nodes never share a sequence number.
import { expect, test } from 'vitest';
import { encodeUtf8 } from '../../../shared/crypto/bytes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { editDoc } from '../../support/replicas';
import { contentOf, createTestVault, startLinkedClients, waitConverged, type RestartableClient } from '../sync/clients';
import { nodeRandom, openRawSession, readVault, waitSynced, withTimeout, type TestDevice } from '../sync/harness';
import { createPrng } from '../sync/network';
import { urlsFrom, useRelayNodes } from './nodes';

const nodes = useRelayNodes(3);

/** Every live node serves the same log: contiguous from its snapshot (if any) to the same head. */
async function expectSameLogOnEveryNode(vaultId: string, device: TestDevice): Promise<number> {
  const live = nodes().filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const logs = await Promise.all(live.map((n) => readVault(n.url, device, vaultId)));
  const [first] = logs;
  if (!first) throw new Error('no node answered');
  for (const log of logs) {
    const snap = log.frames.find((f) => f.t === 'snap');
    const from = snap?.t === 'snap' ? snap.snap.seq : 0;
    expect(log.head).toBe(first.head);
    expect(log.envs.map((e) => e.seq)).toEqual(Array.from({ length: first.head - from }, (_, i) => from + i + 1));
  }
  return first.head;
}

async function spreadClients(
  extra: number,
): Promise<{ clients: RestartableClient[]; vault: Awaited<ReturnType<typeof createTestVault>> }> {
  const vault = await createTestVault();
  const all = nodes();
  const clients = await startLinkedClients({
    relayUrl: all[0]?.url ?? '',
    vault,
    extra,
    // Client cN dials node N mod 3 first, then the others in turn.
    relayUrlsFor: (id) => urlsFrom(all, Number(id.slice(1)) % all.length),
    options: { snapshotEvery: 40 },
  });
  return { clients, vault };
}

test.each([11, 12, 13, 14])('seed %i: clients on three nodes converge with every edit kept', async (seed) => {
  const prng = createPrng(seed);
  const { clients, vault } = await spreadClients(5);
  let edits = 0;
  for (let step = 0; step < 150; step++) {
    const c = prng.pick(clients);
    editDoc(c.client.doc, prng, `${c.id}:${edits++}`);
    if (prng.next() < 0.3) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(clients.map((c) => waitSynced(c.client.engine, 60_000)));
  await waitConverged(
    clients.map((c) => c.client.doc),
    60_000,
  );
  const [owner] = clients;
  if (!owner) throw new Error('no owner');
  const reference = contentOf(owner.client.doc);
  for (const c of clients) {
    expect(contentOf(c.client.doc)).toBe(reference);
    expect(c.client.doc.getMap('ops').size).toBe(edits);
  }
  await expectSameLogOnEveryNode(vault.vaultId, vault.owner);
  for (const c of clients) await c.stop();
});

test('a node SIGKILLed mid-stream: its clients fail over, nothing acknowledged is lost', async () => {
  const prng = createPrng(21);
  const { clients, vault } = await spreadClients(2);
  const victim = nodes()[1];
  if (!victim) throw new Error('no node 1');
  try {
    let edits = 0;
    let killed: Promise<void> | null = null;
    for (let step = 0; step < 300; step++) {
      const c = prng.pick(clients);
      editDoc(c.client.doc, prng, `${c.id}:${edits++}`);
      // Mid-stream: edits are in flight on every node when node 1 dies.
      if (step === 120) killed = victim.kill('SIGKILL');
      if (prng.next() < 0.5) await new Promise((resolve) => setImmediate(resolve));
    }
    await killed;
    await Promise.all(clients.map((c) => waitSynced(c.client.engine, 60_000)));
    await waitConverged(
      clients.map((c) => c.client.doc),
      60_000,
    );
    for (const c of clients) expect(c.client.doc.getMap('ops').size).toBe(edits);
    // The client that was on node 1 (c1) now talks to another node, and the log is whole and contiguous.
    const head = await expectSameLogOnEveryNode(vault.vaultId, vault.owner);
    expect(head).toBeGreaterThan(0);
    for (const c of clients) await c.stop();
  } finally {
    // Back for the next test, on its port (its clients signed that address).
    await victim.restart();
  }
});

test('concurrent publishes through two nodes never share a sequence number', async () => {
  const { clients, vault } = await spreadClients(1);
  const writer = clients[1]?.client.device;
  if (!writer) throw new Error('no second device');
  for (const c of clients) await c.stop();
  const [a, b, c] = nodes();
  if (!a || !b || !c) throw new Error('nodes missing');
  const count = 250;
  const publishAll = async (url: string, device: TestDevice) => {
    const seqs: number[] = [];
    const errors: string[] = [];
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    const { session } = await openRawSession(url, device, (frame) => {
      if (frame.t === 'ack') seqs.push(frame.seq);
      if (frame.t === 'error') errors.push(frame.message);
      if (seqs.length + errors.length === count) done();
    });
    const envs = [];
    for (let counter = 1; counter <= count; counter++) {
      const env = await sealEnvelope({
        vault: vault.vaultId,
        vaultKey: vault.vaultKey,
        counter: 1000 + counter,
        // The log holds the owner's genesis and the writer's addition.
        members: 2,
        update: encodeUtf8(`${counter}`),
        signer: device,
        random: nodeRandom,
      });
      envs.push(encodeEnvelope(env));
    }
    return { session, seqs, errors, all, envs };
  };
  const [one, two] = await Promise.all([publishAll(a.url, vault.owner), publishAll(b.url, writer)]);
  // Both pipelines at once, interleaved on the database.
  for (let i = 0; i < count; i++) {
    one.session.send({ t: 'publish', env: one.envs[i] as (typeof one.envs)[number] });
    two.session.send({ t: 'publish', env: two.envs[i] as (typeof two.envs)[number] });
  }
  await withTimeout(Promise.all([one.all, two.all]), 30_000, 'not every publish was acknowledged');
  expect([...one.errors, ...two.errors]).toEqual([]);
  const seqs = [...one.seqs, ...two.seqs];
  const before = (await readVault(c.url, vault.owner, vault.vaultId)).head - 2 * count;
  expect(new Set(seqs).size).toBe(2 * count);
  expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * count }, (_, i) => before + i + 1));
  // Each node acknowledged its own publishes in rising order, and the third node serves them all.
  expect(one.seqs).toEqual([...one.seqs].sort((x, y) => x - y));
  expect(two.seqs).toEqual([...two.seqs].sort((x, y) => x - y));
  await expectSameLogOnEveryNode(vault.vaultId, vault.owner);
  one.session.close();
  two.session.close();
});
