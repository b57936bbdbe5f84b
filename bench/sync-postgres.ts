// The relay over PostgreSQL next to SQLite, in one run (`npx tsx bench/sync-postgres.ts`, JSON on
// stdout): pipelined throughput (writers and subscribers on different nodes when there are two) and
// edit-to-visible latency between two devices, for SQLite (durability full), PostgreSQL with one
// relay node and PostgreSQL with two nodes. The PostgreSQL cluster is a throw-away one on this
// machine (fsync on, default settings), like the test suites use.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startPostgres } from '../tests/support/postgres';
import { benchRelayLimits, measureLatency, spawnServer, summarize } from './sync-measure';
import { regvaultThroughput, round2, startRegvaultClients } from './sync-regvault';

async function startNode(store: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const server = await spawnServer('relay/main.ts', ['--port', '0', ...store, ...benchRelayLimits]);
  return { child: server.child, url: `ws://127.0.0.1:${server.port}` };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Throughput and two-device latency through `urls` (one relay node each). */
async function measure(name: string, urls: readonly string[], vaults: number, each: number, rounds: number) {
  process.stderr.write(`sync-postgres: ${name}…\n`);
  const throughput = await regvaultThroughput(urls, vaults, each);
  const { clients, stop: stopClients } = await startRegvaultClients(urls, 2);
  const latency = await measureLatency(
    clients.map((c) => c.doc),
    rounds,
  );
  await stopClients();
  const { p50, p99 } = summarize(latency.all);
  return { throughputPerSecond: throughput.perSecond, errors: throughput.errors, latencyP50Ms: p50, latencyP99Ms: p99 };
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'regvault-bench-pg-'));
  const cluster = await startPostgres();
  const children: ChildProcess[] = [];
  const node = async (store: readonly string[]) => {
    const started = await startNode(store);
    children.push(started.child);
    return started.url;
  };
  const [vaults, each, rounds] = [8, 1000, 200];
  try {
    const sqlite = await measure('sqlite', [await node(['--data-dir', join(dir, 'sqlite')])], vaults, each, rounds);
    const one = await cluster.createDatabase();
    const postgres1 = await measure('postgres, 1 node', [await node(['--database', one])], vaults, each, rounds);
    const two = await cluster.createDatabase();
    const postgres2 = await measure(
      'postgres, 2 nodes',
      [await node(['--database', two]), await node(['--database', two])],
      vaults,
      each,
      rounds,
    );
    const result = {
      bench: 'sync-postgres',
      machine: { cpus: cpus().length, loadavg: loadavg() },
      load: `${vaults} vaults × ${each} envelopes pipelined; latency: 2 devices, ${rounds} edits one at a time`,
      sqliteFull: sqlite,
      postgres1Node: postgres1,
      postgres2Nodes: postgres2,
      seconds: round2((performance.now() - started) / 1000),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all(children.map(stop));
    cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
