// Measurements shared by both relays in bench/sync.ts: edit-to-visible latency over a set of docs,
// percentiles, and child-process helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as Y from 'yjs';

const repoRoot = join(import.meta.dirname, '..');

/** p50 / p99 / mean of a sample set, in ms with 3 decimals. */
export function summarize(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length),
    samples: sorted.length,
  };
}

/**
 * Edit-to-visible latency: each round one doc (round-robin) sets a key; `all` holds the time until
 * the key is visible in each other doc, `first` the time until it is visible in the first of them.
 * Every client lives in this one process, so with many clients `all` also counts the receiving work
 * of the clients served before (each real device does only its own); `first` does not.
 */
export async function measureLatency(
  docs: readonly Y.Doc[],
  rounds: number,
): Promise<{ all: number[]; first: number[] }> {
  const all: number[] = [];
  const first: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const editor = docs[round % docs.length];
    if (!editor) break;
    const key = `k${round}`;
    let start = 0;
    const seen = docs
      .filter((doc) => doc !== editor)
      .map(
        (doc) =>
          new Promise<number>((resolve) => {
            const map = doc.getMap('bench');
            const observer = () => {
              if (!map.has(key)) return;
              map.unobserve(observer);
              resolve(performance.now() - start);
            };
            map.observe(observer);
          }),
      );
    start = performance.now();
    editor.getMap('bench').set(key, round);
    const times = await withTimeout(Promise.all(seen), 30_000, `round ${round} not visible everywhere`);
    all.push(...times);
    first.push(Math.min(...times));
  }
  return { all, first };
}

/** Rejects with `message` if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}

/** Relay options of every bench: it pipelines and holds thousands of sockets from one address on purpose. */
export const benchRelayLimits = [
  '--max-connections-per-address',
  '100000',
  '--max-connections-per-device',
  '100000',
  '--messages-per-second',
  '0',
] as const;

/** Spawns `node --import tsx <script> ...args` and resolves with the port from its `listening` line. */
export async function spawnServer(
  script: string,
  args: readonly string[],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (!child.stdout) throw new Error('stdout not piped');
  const lines = createInterface({ input: child.stdout });
  const port = await withTimeout(
    new Promise<number>((resolve) =>
      lines.on('line', (line) => {
        const event = JSON.parse(line) as { event: string; port: number };
        if (event.event === 'listening') resolve(event.port);
      }),
    ),
    30_000,
    `${script} did not start`,
  );
  return { child, port };
}

/** Resident memory of a process in MiB (Linux /proc), or null elsewhere. */
export function residentMiB(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, 100 ticks/s), or null elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Measures `run` and adds how much CPU the server process spent per item: its capacity on one core. */
export async function withServerCpu<T extends { perSecond: number }>(
  pid: number | undefined,
  items: number,
  run: () => Promise<T>,
): Promise<T & { serverCpuMicrosPerItem: number | null; perServerCpuSecond: number | null }> {
  const before = cpuSecondsOf(pid);
  const result = await run();
  const after = cpuSecondsOf(pid);
  if (before === null || after === null || after <= before) {
    return { ...result, serverCpuMicrosPerItem: null, perServerCpuSecond: null };
  }
  const perItem = (after - before) / items;
  return { ...result, serverCpuMicrosPerItem: Math.round(perItem * 1e6), perServerCpuSecond: Math.round(1 / perItem) };
}
