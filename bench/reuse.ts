// Secret reuse across vaults: HMAC-SHA-256 of every secret under the session key (WebCrypto), then the grouping,
// for 10,000 entries in two vaults. `firstMs` is the comparison after unlock (every secret hashed), `againMs` one
// after an edit (digests cached, one secret new). JSON to stdout, progress to stderr.
import * as Y from 'yjs';
import { addEntries, listEntries, type Entry } from '../shared/entries';
import { ReuseDigests } from '../renderer/src/lib/insights/reuse-digests';
import { sampleEntry } from './sample-entries';

const COUNT = Number(process.env['BENCH_ENTRIES'] ?? 10_000);
const RUNS = 5;

function vaultOf(from: number, count: number): readonly Entry[] {
  const doc = new Y.Doc();
  const ctx = { now: () => Date.now(), newId: () => crypto.randomUUID(), actor: 'bench' };
  addEntries(
    doc,
    Array.from({ length: count }, (_, i) => sampleEntry(from + i)),
    ctx,
  );
  return listEntries(doc).entries;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10;
}

process.stderr.write(`reuse: ${COUNT} entries in two vaults…\n`);
// Half the second vault repeats secrets of the first (sampleEntry's secret depends on its index).
const prod = vaultOf(0, COUNT / 2);
const staging = vaultOf(COUNT / 4, COUNT / 2);
const first: number[] = [];
const again: number[] = [];
let reused = 0;
for (let run = 0; run < RUNS; run += 1) {
  const digests = new ReuseDigests();
  let start = performance.now();
  const found = await digests.compare([
    { vaultId: 'prod', entries: prod },
    { vaultId: 'staging', entries: staging },
  ]);
  first.push(performance.now() - start);
  reused = found.size;
  const edited = staging.map((entry, i) => (i === 0 ? { ...entry, secret: `${entry.secret}-rotated` } : entry));
  start = performance.now();
  await digests.compare([
    { vaultId: 'prod', entries: prod },
    { vaultId: 'staging', entries: edited },
  ]);
  again.push(performance.now() - start);
}
process.stdout.write(
  `${JSON.stringify({ entries: COUNT, reusedEntries: reused, firstMs: median(first), againMs: median(again), runs: RUNS })}\n`,
);
