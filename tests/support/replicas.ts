// Edits and comparisons of test documents shared by the sync tests (real relay processes and the
// in-process simulation): a seeded random edit, and each replica's content and state vector.
import * as Y from 'yjs';
import type { Prng } from './prng';

/** One seeded edit of the test document: set a field of one of ten entries (now and then delete one), and log `tag` in `ops`. */
export function editDoc(doc: Y.Doc, prng: Prng, tag: string): void {
  const entries = doc.getMap<Y.Map<string>>('entries');
  const id = `entry-${prng.int(10)}`;
  doc.transact(() => {
    if (prng.next() < 0.1) entries.delete(id);
    else {
      let entry = entries.get(id);
      if (!entry) {
        entry = new Y.Map<string>();
        entries.set(id, entry);
      }
      entry.set(prng.pick(['username', 'secret', 'notes', 'displayName']), `${tag}-${prng.int(1000)}`);
    }
    // A map, as every vault document is (protocol v5 judges only map values): one key per edit.
    doc.getMap<boolean>('ops').set(tag, true);
  });
}

/** The test docs' content as JSON with sorted keys (map key order depends on arrival order): `entries` and the `ops` log. */
export function contentOf(doc: Y.Doc): string {
  return JSON.stringify({ entries: doc.getMap('entries').toJSON(), ops: opsOf(doc) }, sortedKeys);
}

/** The tags of the edits a test doc holds, sorted. */
export function opsOf(doc: Y.Doc): string[] {
  return [...doc.getMap('ops').keys()].sort();
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A doc's state vector as sorted JSON. */
export function vectorOf(doc: Y.Doc): string {
  return JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b));
}
