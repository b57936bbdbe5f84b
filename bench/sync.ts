// Sync benchmark, one run on loopback (`npx tsx bench/sync.ts`, JSON on stdout): edit-to-visible
// latency with 2, 10 and 100 clients and relay throughput, for the Regvault relay (sealed, signed
// envelopes in SQLite; run at both durability levels) and for a plaintext y-websocket-style relay
// carrying the same updates; then 10,000 idle authenticated connections held on the Regvault relay.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import {
  benchRelayLimits,
  cpuSecondsOf,
  measureLatency,
  spawnServer,
  summarize,
  withServerCpu,
  withTimeout,
} from './sync-measure';
import { connectPlainClient, encodeSyncUpdate } from './sync-plain-client';
import { syncTargets } from './sync-targets';
import { holdConnections, makeUpdates, regvaultThroughput, round2, startRegvaultClients } from './sync-regvault';

type Server = Awaited<ReturnType<typeof spawnServer>> & { url: string };

/** Relay CPU µs per edit while `run` makes `edits` edits one at a time (the interactive case). */
async function cpuPerEdit<T>(pid: number | undefined, edits: number, run: () => Promise<T>) {
  const before = cpuSecondsOf(pid);
  const result = await run();
  const after = cpuSecondsOf(pid);
  const micros = before === null || after === null ? null : Math.round(((after - before) / edits) * 1e6);
  return { result, relayCpuMicrosPerEdit: micros };
}

async function regvaultLatency(server: Server, n: number, rounds: number) {
  const ours = await startRegvaultClients(server.url, n);
  const docs = ours.clients.map((c) => c.doc);
  const { result, relayCpuMicrosPerEdit } = await cpuPerEdit(server.child.pid, rounds, () =>
    measureLatency(docs, rounds),
  );
  await ours.stop();
  return { everyReceiver: summarize(result.all), firstReceiver: summarize(result.first), relayCpuMicrosPerEdit };
}

async function plainLatency(server: Server, n: number, rounds: number) {
  const clients = await Promise.all(Array.from({ length: n }, () => connectPlainClient(server.url, `latency-${n}`)));
  await Promise.all(clients.map((c) => c.synced));
  const docs = clients.map((c) => c.doc);
  const { result, relayCpuMicrosPerEdit } = await cpuPerEdit(server.child.pid, rounds, () =>
    measureLatency(docs, rounds),
  );
  for (const c of clients) c.close();
  return { everyReceiver: summarize(result.all), firstReceiver: summarize(result.first), relayCpuMicrosPerEdit };
}

/** Updates per second through the plaintext relay, measured like `regvaultThroughput`: one room per writer, one subscriber each. */
async function plainThroughput(url: string, rooms: number, each: number) {
  const open = (room: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${url}/${room}`);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const total = rooms * each;
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const setups = [];
  for (let r = 0; r < rooms; r++) {
    const messages = makeUpdates(each).map(encodeSyncUpdate);
    const writer = await open(`throughput-${r}`);
    const subscriber = await open(`throughput-${r}`);
    // Count update messages (sync type 0, update 2) reaching subscribers, as the Regvault run counts envelopes.
    subscriber.on('message', (data: Buffer) => {
      if (data[0] === 0 && data[1] === 2 && ++received === total) done();
    });
    setups.push({ messages, writer, subscriber });
  }
  const start = performance.now();
  for (const { messages, writer } of setups) for (const m of messages) writer.send(m);
  await withTimeout(all, 120_000, `plaintext relay delivered ${received}/${total}`);
  const seconds = (performance.now() - start) / 1000;
  for (const { writer, subscriber } of setups) for (const ws of [writer, subscriber]) ws.close();
  return { updates: total, rooms, seconds: round2(seconds), perSecond: Math.round(total / seconds) };
}

/** Median time of a one-row commit with synchronous=FULL in `dir`: what an fsync costs on this disk right now. */
function probeFsyncMs(dir: string): number {
  const db = new Database(join(dir, 'fsync-probe.sqlite3'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (v BLOB)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    insert.run(Buffer.alloc(200));
    times.push(performance.now() - start);
  }
  db.close();
  return summarize(times).p50;
}

/** A Regvault relay process with the bench's limits, its data in `dir/name`. */
async function startRelay(dir: string, name: string, durability: 'full' | 'normal'): Promise<Server> {
  const server = await spawnServer('relay/main.ts', [
    '--port',
    '0',
    '--data-dir',
    join(dir, name),
    '--durability',
    durability,
    ...benchRelayLimits,
  ]);
  return { ...server, url: `ws://127.0.0.1:${server.port}` };
}

async function startServers(dir: string): Promise<{ full: Server; normal: Server; plain: Server }> {
  const plain = await spawnServer('bench/sync-y-websocket-server.ts', ['--port', '0']);
  return {
    full: await startRelay(dir, 'full', 'full'),
    normal: await startRelay(dir, 'normal', 'normal'),
    plain: { ...plain, url: `ws://127.0.0.1:${plain.port}` },
  };
}

/** 10,000 idle connections on a relay process of their own, so its memory is theirs, not the earlier runs' heap. */
async function runIdleConnections(dir: string) {
  const relay = await startRelay(dir, 'idle', 'full');
  try {
    return await holdConnections(relay.url, relay.child.pid, 10_000);
  } finally {
    await stopProcess(relay);
  }
}

async function stopProcess(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

const ratio = (a: number, b: number) => round2(a / b);

type Servers = Awaited<ReturnType<typeof startServers>>;

async function runLatency(servers: Servers) {
  const latency = [];
  for (const [n, rounds] of [
    [2, 500],
    [10, 150],
    [100, 1000],
  ] as const) {
    const plaintext = await plainLatency(servers.plain, n, rounds);
    const full = await regvaultLatency(servers.full, n, rounds);
    const normal = await regvaultLatency(servers.normal, n, rounds);
    const p50 = (x: typeof full) => x.everyReceiver.p50;
    latency.push({
      clients: n,
      rounds,
      plaintext,
      regvaultFull: full,
      regvaultNormal: normal,
      ratioP50: {
        full: ratio(p50(full), p50(plaintext)),
        normal: ratio(p50(normal), p50(plaintext)),
        fullFirstReceiver: ratio(full.firstReceiver.p50, plaintext.firstReceiver.p50),
        normalFirstReceiver: ratio(normal.firstReceiver.p50, plaintext.firstReceiver.p50),
      },
      ratioP99: {
        full: ratio(full.everyReceiver.p99, plaintext.everyReceiver.p99),
        normal: ratio(normal.everyReceiver.p99, plaintext.everyReceiver.p99),
      },
    });
  }
  return latency;
}

async function runThroughput(servers: Servers) {
  const [vaults, each] = [8, 4000];
  const plaintext = await withServerCpu(servers.plain.child.pid, vaults * each, () =>
    plainThroughput(servers.plain.url, vaults, each),
  );
  const full = await withServerCpu(servers.full.child.pid, vaults * each, () =>
    regvaultThroughput(servers.full.url, vaults, each),
  );
  const normal = await withServerCpu(servers.normal.child.pid, vaults * each, () =>
    regvaultThroughput(servers.normal.url, vaults, each),
  );
  const ratios = {
    full: ratio(full.perSecond, plaintext.perSecond),
    normal: ratio(normal.perSecond, plaintext.perSecond),
  };
  return { plaintext, regvaultFull: full, regvaultNormal: normal, ratio: ratios };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-bench-'));
  const servers = await startServers(dir);
  try {
    const started = performance.now();
    const loadBefore = loadavg()[0] ?? 0;
    const fsyncP50Ms = probeFsyncMs(dir);
    const latency = await runLatency(servers);
    const throughput = await runThroughput(servers);
    const connections = await runIdleConnections(dir);
    const machine = {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage1m: [round2(loadBefore), round2(loadavg()[0] ?? 0)],
    };
    const targets = syncTargets(latency, throughput, connections);
    const result = {
      bench: 'sync',
      machine,
      fsyncP50Ms,
      relay:
        'relay/main.ts, SQLite WAL; full = fsync before every ack (default), normal = survives a killed process, not power loss',
      baseline: '@y/websocket-server 0.1.1 (setupWSConnection), plaintext, in memory, no durability',
      latencyMs: latency,
      throughputPerSecond: throughput,
      connections,
      targets,
      seconds: round2((performance.now() - started) / 1000),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stopServers(servers, dir);
  }
}

async function stopServers(servers: Servers, dir: string): Promise<void> {
  await Promise.all([servers.full, servers.normal, servers.plain].map(stopProcess));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
