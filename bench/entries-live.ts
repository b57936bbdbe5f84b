// Remote edit → decoded list, in a vault of 10,000 entries (issue #12): the cost the list pays
// when a peer's edit arrives, before Svelte renders it. Two real Yjs documents; each sample
// edits one entry on the "remote" one and applies its update to the local one, as sync does.
//   incrementalMs  watchEntries (what the app runs): decode the touched entry, move it in the list
//   fullDecodeMs   the former way: listEntries + buildSearchIndex over every entry on each change
// JSON to stdout, progress to stderr.
import * as Y from 'yjs';
import { addEntries, buildSearchIndex, editEntry, getEntriesMap, listEntries, watchEntries } from '../shared/entries';
import { sampleEntry } from './sample-entries';

const COUNT = Number(process.env['BENCH_ENTRIES'] ?? 10_000);
const SAMPLES = 300;

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 1000) / 1000;
  return { p50: at(0.5), p95: at(0.95), max: at(1), samples: values.length };
}

/** Times `samples` remote edits from the edit's arrival (applyUpdate) until `onList` ran. */
function measure(watch: (doc: Y.Doc, onList: () => void) => () => void): number[] {
  const remote = new Y.Doc();
  const ctx = { now: () => Date.now(), newId: () => crypto.randomUUID(), actor: 'bench' };
  const ids = addEntries(
    remote,
    Array.from({ length: COUNT }, (_, i) => sampleEntry(i)),
    ctx,
  ).flatMap((r) => (r.ok ? [r.value.id] : []));
  const local = new Y.Doc();
  Y.applyUpdate(local, Y.encodeStateAsUpdate(remote));
  let arrived = 0;
  const stop = watch(local, () => (arrived = performance.now()));
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const before = Y.encodeStateVector(remote);
    const id = ids[(i * 7919) % ids.length] as string;
    editEntry(remote, id, { name: `Renamed ${i}`, notes: `edit ${i}` }, ctx);
    const update = Y.encodeStateAsUpdate(remote, before);
    const start = performance.now();
    Y.applyUpdate(local, update);
    times.push(arrived - start);
  }
  stop();
  return times;
}

process.stderr.write(`entries-live: ${COUNT} entries, ${SAMPLES} remote edits each way…\n`);
const incremental = measure((doc, onList) => watchEntries(doc, onList));
const fullDecode = measure((doc, onList) => {
  const entries = getEntriesMap(doc);
  const refresh = () => {
    buildSearchIndex(listEntries(doc).entries);
    onList();
  };
  entries.observeDeep(refresh);
  refresh();
  return () => entries.unobserveDeep(refresh);
});

process.stdout.write(
  `${JSON.stringify(
    {
      entries: COUNT,
      remoteEditToListMs: { incremental: summary(incremental), fullDecode: summary(fullDecode) },
      target: { remoteEditToListP95Ms: 16 },
      met: summary(incremental).p95 <= 16,
    },
    null,
    2,
  )}\n`,
);
