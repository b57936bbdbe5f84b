// The Regvault side of bench/sync.ts: engine clients on a vault, raw-socket throughput, and many
// connections held at once.
import * as Y from 'yjs';
import { encodeEnvelope, sealEnvelope } from '../shared/sync/envelope';
import { createVault } from '../shared/sync/link';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  waitSynced,
  type TestDevice,
} from '../tests/integration/sync/harness';
import { inviteOf } from '../tests/integration/sync/clients';
import { residentMiB } from './sync-measure';
import { openBenchSocket, subscribeBenchSocket, type BenchSocket } from './sync-socket';
import { valueOf } from '../shared/test-result';

/** A vault with `n` engine clients (owner + n-1 linked writers), all synced; client i dials `urls[i mod urls.length]`. */
export async function startRegvaultClients(urls: string | readonly string[], n: number) {
  const nodes = typeof urls === 'string' ? [urls] : urls;
  const owner = createTestDevice();
  const vault = await createVault(owner, nodeRandom);
  const make = (device: TestDevice, members: (typeof vault.genesis)[], i: number) =>
    createTestClient({
      relayUrl: nodes[i % nodes.length] ?? '',
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      device,
      members,
      options: { retry: { timeoutMs: 60_000 } },
    });
  const first = make(owner, [vault.genesis], 0);
  await first.engine.start();
  await waitSynced(first.engine);
  const clients = [first];
  for (let i = 1; i < n; i++) {
    const device = createTestDevice();
    valueOf(await first.engine.authorizeDevice(inviteOf(device), 'writer'));
    clients.push(make(device, [], i));
  }
  await Promise.all(clients.slice(1).map((c) => c.engine.start()));
  await Promise.all(clients.map((c) => waitSynced(c.engine, 60_000)));
  return { vault, owner, clients, stop: () => Promise.all(clients.map((c) => c.engine.stop())) };
}

/** Rounds to 2 decimals. */
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** Single-field Yjs updates as an editor would produce them (the plaintext both relays carry). */
export function makeUpdates(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < count; i++) doc.getMap('entries').set(`e${i % 500}`, `token-${i}`);
  return updates;
}

/**
 * Envelopes per second through the relay: `vaults` vaults, each with one writer pipelining pre-sealed
 * envelopes and one subscriber; timed from the first send until every envelope is acknowledged and
 * has reached its subscriber.
 */
export async function regvaultThroughput(urls: string | readonly string[], vaults: number, each: number) {
  // With several relay nodes, each vault's writer and subscriber sit on different nodes (cross-node fan-out).
  const nodes = typeof urls === 'string' ? [urls] : urls;
  const nodeOf = (i: number) => nodes[i % nodes.length] ?? '';
  const setups = [];
  for (let v = 0; v < vaults; v++) {
    const device = createTestDevice();
    const vault = await createVault(device, nodeRandom);
    const frames: string[] = [];
    for (const [i, update] of makeUpdates(each).entries()) {
      const env = await sealEnvelope({
        vault: vault.vaultId,
        vaultKey: vault.vaultKey,
        counter: i + 1,
        members: 1,
        update,
        signer: device,
        random: nodeRandom,
      });
      frames.push(JSON.stringify({ t: 'publish', id: i + 2, env: encodeEnvelope(env) }));
    }
    const writer = await openBenchSocket(nodeOf(v), device);
    writer.send(JSON.stringify({ t: 'register', id: 1, record: vault.genesis }));
    await writer.waitFor('{"t":"done"', 1);
    const subscriber = await openBenchSocket(nodeOf(v + 1), device);
    await subscribeBenchSocket(subscriber, vault.vaultId, 0);
    setups.push({ frames, writer, subscriber });
  }
  const total = vaults * each;
  const start = performance.now();
  for (const { frames, writer } of setups) for (const frame of frames) writer.send(frame);
  await Promise.all(
    setups.flatMap(({ writer, subscriber }) => [
      writer.waitFor('{"t":"ack"', each),
      subscriber.waitFor('{"t":"env"', each),
    ]),
  );
  const seconds = (performance.now() - start) / 1000;
  const errors = setups.reduce((sum, { writer }) => sum + writer.count('{"t":"error"'), 0);
  for (const { writer, subscriber } of setups) for (const s of [writer, subscriber]) s.ws.close();
  return { envelopes: total, vaults, seconds: round2(seconds), perSecond: Math.round(total / seconds), errors };
}

/** Opens `count` authenticated, subscribed connections and checks they all stay open and all receive one envelope. */
export async function holdConnections(url: string, relayPid: number | undefined, count: number) {
  const { vault, owner, clients, stop } = await startRegvaultClients(url, 1);
  const readers = Array.from({ length: 10 }, () => createTestDevice());
  const admin = clients[0]?.engine;
  if (!admin) throw new Error('no client');
  for (const device of readers) valueOf(await admin.authorizeDevice(inviteOf(device), 'reader'));
  await stop();
  const rssBefore = residentMiB(relayPid);
  const sockets: BenchSocket[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - i) },
      (_, j) => readers[(i + j) % readers.length] as TestDevice,
    );
    const opened = await Promise.all(batch.map((d) => openBenchSocket(url, d)));
    await Promise.all(opened.map((s) => subscribeBenchSocket(s, vault.vaultId, 0)));
    sockets.push(...opened);
  }
  const connectSeconds = (performance.now() - start) / 1000;
  const writer = await openBenchSocket(url, owner);
  const env = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 1000,
    members: 1,
    update: makeUpdates(1)[0] ?? new Uint8Array(),
    signer: owner,
    random: nodeRandom,
  });
  const before = sockets.map((s) => s.count('{"t":"env"'));
  const fanoutStart = performance.now();
  writer.send(JSON.stringify({ t: 'publish', id: 9, env: encodeEnvelope(env) }));
  await Promise.all(sockets.map((s, i) => s.waitFor('{"t":"env"', (before[i] ?? 0) + 1)));
  const fanoutMs = performance.now() - fanoutStart;
  const held = sockets.filter((s) => s.ws.readyState === s.ws.OPEN).length;
  const rss = residentMiB(relayPid);
  for (const s of [...sockets, writer]) s.ws.close();
  return {
    requested: count,
    held,
    connectSeconds: round2(connectSeconds),
    fanoutToAllMs: round2(fanoutMs),
    relayRssMiB: rss,
    relayRssBeforeMiB: rssBefore,
    bytesPerConnection: rss === null || rssBefore === null ? null : Math.round(((rss - rssBefore) * 2 ** 20) / count),
  };
}
