import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getEntriesMap, getEntryMap } from './entry-doc';
import { addEntry } from './entry-create';
import { listEntries, resolveConflict, resolveSecretConflict } from './entry-list';
import { deleteEntry, editEntry } from './entry-mutations';
import { watchEntries, type EntrySnapshot } from './entry-set';
import { buildSearchIndex } from './search';
import { createManualContext, type ManualContext } from './test-context';

/** A small seeded generator (mulberry32), so a failing sequence replays exactly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const registries = ['ghcr.io', 'quay.io', 'gcr.io', 'registry.example.com:5000', 'docker.io'];
const names = ['alpha', 'Beta', 'beta', 'gamma', '', 'Zulu', 'prod'];

type Peer = Readonly<{ doc: Y.Doc; ctx: ManualContext; seen: EntrySnapshot[] }>;

function peer(actor: string): Peer {
  const doc = new Y.Doc();
  const seen: EntrySnapshot[] = [];
  watchEntries(doc, (snapshot) => seen.push(snapshot));
  return { doc, ctx: createManualContext(actor), seen };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

/** One random step on one peer: add, edit, delete, damage, resolve, or exchange updates with the other. */
function step(random: () => number, self: Peer, other: Peer): void {
  const ids = [...getEntriesMap(self.doc).keys()];
  const id = ids.length === 0 ? 'none' : pick(random, ids);
  self.ctx.advance(1 + Math.floor(random() * 1000));
  const roll = random();
  if (roll < 0.3) {
    addEntry(
      self.doc,
      { registry: pick(random, registries), name: pick(random, names), username: 'u', secret: 's' },
      self.ctx,
    );
  } else if (roll < 0.5) {
    editEntry(
      self.doc,
      id,
      { name: pick(random, names), secret: `s${Math.floor(random() * 3)}`, notes: pick(random, names) },
      self.ctx,
    );
  } else if (roll < 0.6) {
    deleteEntry(self.doc, id, self.ctx);
  } else if (roll < 0.65) {
    getEntryMap(self.doc, id)?.set('pipelines', 'not-a-list'); // damaged
  } else if (roll < 0.7) {
    const conflict = listEntries(self.doc).conflicts[0];
    if (conflict) resolveConflict(self.doc, conflict.ids[0] as string, conflict.ids.slice(1), self.ctx);
  } else if (roll < 0.75) {
    const conflict = listEntries(self.doc).secretConflicts[0];
    if (conflict) resolveSecretConflict(self.doc, conflict.id, conflict.versions[1]?.versionId ?? '', self.ctx);
  } else {
    Y.applyUpdate(self.doc, Y.encodeStateAsUpdate(other.doc, Y.encodeStateVector(self.doc)));
  }
}

describe('watchEntries', () => {
  it('reports the first fill at once, then one snapshot per transaction that touched entries', () => {
    const { doc, ctx, seen } = peer('alice');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.list.entries).toEqual([]);
    addEntry(doc, { registry: 'ghcr.io', username: 'u', secret: 's' }, ctx);
    doc.getMap('elsewhere').set('x', 1);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.list.entries.map((e) => e.registry)).toEqual(['ghcr.io']);
  });

  it('stops when told', () => {
    const doc = new Y.Doc();
    const seen: EntrySnapshot[] = [];
    const stop = watchEntries(doc, (snapshot) => seen.push(snapshot));
    stop();
    addEntry(doc, { registry: 'ghcr.io', username: 'u', secret: 's' }, createManualContext('alice'));
    expect(seen).toHaveLength(1);
  });

  it('gives every snapshot new arrays, so a view that keeps the old one sees the change', () => {
    const { doc, ctx, seen } = peer('alice');
    addEntry(doc, { registry: 'ghcr.io', username: 'u', secret: 's' }, ctx);
    addEntry(doc, { registry: 'quay.io', username: 'u', secret: 's' }, ctx);
    expect(seen[1]?.list.entries).toHaveLength(1);
    expect(seen[2]?.list.entries).not.toBe(seen[1]?.list.entries);
  });

  // The incremental list must never drift from a full decode: local edits, damage, conflicts
  // from merged offline copies and their resolution, in seeded random order.
  it('equals a full decode after every change, over seeded random runs of two peers', () => {
    const lists: EntrySnapshot['list'][] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const random = seeded(seed);
      const [a, b] = [peer('alice'), peer('bob')];
      for (let i = 0; i < 250; i += 1) {
        const [self, other] = random() < 0.5 ? [a, b] : [b, a];
        step(random, self, other);
        const latest = self.seen.at(-1) as EntrySnapshot;
        const full = listEntries(self.doc);
        expect(latest.list, `seed ${seed}, step ${i}`).toEqual(full);
        expect(latest.index, `seed ${seed}, step ${i}`).toEqual(buildSearchIndex(full.entries));
        lists.push(latest.list);
      }
    }
    // The runs reached the interesting states, so the equality above covered them.
    expect(lists.some((l) => l.conflicts.length > 0)).toBe(true);
    expect(lists.some((l) => l.secretConflicts.length > 0)).toBe(true);
    expect(lists.some((l) => l.damaged.length > 0)).toBe(true);
  });
});
