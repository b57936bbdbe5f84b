import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOCKER_HUB_KEY } from '../registry/registry-key';
import { entrySchema } from './entry';
import { getEntriesMap, getEntryMap } from './entry-doc';
import { flagRotation, recordCheck } from './entry-flags';
import { listEntries, resolveConflict, resolveSecretConflict } from './entry-list';
import { addEntry } from './entry-create';
import { deleteEntry, editEntry, getEntry } from './entry-mutations';
import { createManualContext } from './test-context';
import { valueOf } from '../test-result';

/** Exchanges every missing update in both directions, as a reconnecting peer would. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function twoPeers() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const alice = createManualContext('alice');
  const bob = createManualContext('bob');
  return { a, b, alice, bob };
}

describe('listEntries', () => {
  it('sorts entries by name and reports malformed ones without failing the rest', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    valueOf(addEntry(doc, { registry: 'ghcr.io', name: 'beta', username: 'a', secret: 's' }, ctx));
    valueOf(addEntry(doc, { registry: 'quay.io', name: 'Alpha', username: 'a', secret: 's' }, ctx));
    const entries = getEntriesMap(doc);
    entries.set('not-a-map', 42);
    const noSecret = new Y.Map<unknown>();
    entries.set('no-secret', noSecret);
    noSecret.set('registry', 'gcr.io');
    // The damaged gcr.io entry does not block adding gcr.io again.
    const broken = valueOf(addEntry(doc, { registry: 'gcr.io', username: '_json_key', secret: '{}' }, ctx));
    getEntryMap(doc, broken.id)?.set('pipelines', 'build');

    const list = listEntries(doc);
    expect(list.entries.map((e) => e.name)).toEqual(['Alpha', 'beta']);
    expect(list.damaged).toEqual([broken.id, 'no-secret', 'not-a-map'].sort());
    expect(list.conflicts).toEqual([]);
  });

  it('ignores unknown fields and unknown preset ids written by a newer version', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const entry = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'a', secret: 's' }, ctx));
    getEntryMap(doc, entry.id)?.set('futureField', { x: 1 });
    getEntryMap(doc, entry.id)?.set('presetId', 'nexus');
    const list = listEntries(doc);
    expect(list.damaged).toEqual([]);
    expect(list.entries[0]).not.toHaveProperty('futureField');
    expect(list.entries[0]?.presetId).toBeUndefined();
  });
});

describe('entrySchema', () => {
  it('accepts every decoded entry and rejects a malformed one (for IPC and exports)', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const entry = valueOf(
      addEntry(
        doc,
        { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', secret: 'eyJ', pipelines: ['build'] },
        ctx,
      ),
    );
    valueOf(recordCheck(doc, entry.id, { at: 1, ok: true, code: 'ok', message: 'Logged in' }, ctx));
    const [listed] = listEntries(doc).entries;
    expect(entrySchema.parse(listed)).toEqual(listed);
    expect(entrySchema.safeParse({ ...listed, pipelines: 'build' }).success).toBe(false);
    expect(entrySchema.safeParse({ ...listed, secret: undefined }).success).toBe(false);
  });
});

describe('offline copies of one vault', () => {
  it('two entries created offline for one registry both survive the merge and form a conflict group', () => {
    const { a, b, alice, bob } = twoPeers();
    sync(a, b);
    const mine = valueOf(addEntry(a, { registry: 'docker.io', username: 'alice', secret: 'alice-secret' }, alice));
    bob.advance(5000);
    const theirs = valueOf(addEntry(b, { registry: 'index.docker.io', username: 'bob', secret: 'bob-secret' }, bob));
    sync(a, b);

    for (const doc of [a, b]) {
      const list = listEntries(doc);
      expect(list.entries.map((e) => e.secret).sort()).toEqual(['alice-secret', 'bob-secret']);
      expect(list.conflicts).toEqual([{ registry: DOCKER_HUB_KEY, ids: [mine.id, theirs.id] }]);
    }
    // A third entry for the key is still refused while the conflict stands.
    expect(valueOf(getEntry(a, mine.id)).registry).toBe(DOCKER_HUB_KEY);
    expect(addEntry(a, { registry: 'docker.io', username: 'c', secret: 'c' }, alice).ok).toBe(false);

    valueOf(resolveConflict(b, theirs.id, [mine.id], bob));
    sync(a, b);
    for (const doc of [a, b]) {
      const list = listEntries(doc);
      expect(list.conflicts).toEqual([]);
      expect(list.entries.map((e) => [e.id, e.secret])).toEqual([[theirs.id, 'bob-secret']]);
    }
  });

  it('resolveConflict refuses entries of different registries, keeping itself, and unknown ids', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const hub = valueOf(addEntry(doc, { registry: 'docker.io', username: 'a', secret: 's' }, ctx));
    const ghcr = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'a', secret: 's' }, ctx));
    const codes = [
      resolveConflict(doc, hub.id, [ghcr.id], ctx),
      resolveConflict(doc, hub.id, [hub.id], ctx),
      resolveConflict(doc, hub.id, [], ctx),
      resolveConflict(doc, hub.id, ['missing'], ctx),
      resolveConflict(doc, 'missing', [hub.id], ctx),
    ].map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes).toEqual([
      'conflict-mismatch',
      'conflict-mismatch',
      'conflict-mismatch',
      'entry-not-found',
      'entry-not-found',
    ]);
    expect(listEntries(doc).entries).toHaveLength(2);
  });

  it('two offline rotations of one secret keep both versions until the user picks one', () => {
    const { a, b, alice, bob } = twoPeers();
    const entry = valueOf(addEntry(a, { registry: 'ghcr.io', username: 'ci', secret: 'v0' }, alice));
    sync(a, b);
    alice.advance(1000);
    valueOf(editEntry(a, entry.id, { secret: 'from-alice' }, alice));
    bob.advance(2000);
    valueOf(editEntry(b, entry.id, { secret: 'from-bob', notes: 'rotated by bob' }, bob));
    sync(a, b);

    const [listA, listB] = [listEntries(a), listEntries(b)];
    expect(listA).toEqual(listB);
    const conflict = listA.secretConflicts[0];
    expect(conflict?.versions.map((v) => [v.value, v.by])).toEqual([
      ['from-bob', 'bob'],
      ['from-alice', 'alice'],
    ]);
    // Until resolved, the newest version is shown; the other one is still in the document.
    expect(listA.entries[0]).toMatchObject({ secret: 'from-bob', notes: 'rotated by bob' });

    const aliceVersion = conflict?.versions[1]?.versionId ?? '';
    valueOf(resolveSecretConflict(a, entry.id, aliceVersion, alice));
    sync(a, b);
    for (const doc of [a, b]) {
      expect(listEntries(doc).secretConflicts).toEqual([]);
      expect(valueOf(getEntry(doc, entry.id)).secret).toBe('from-alice');
    }
    expect(resolveSecretConflict(a, entry.id, 'gone', alice).ok).toBe(false);
  });

  it('concurrent edits of different fields of one entry both survive', () => {
    const { a, b, alice, bob } = twoPeers();
    const entry = valueOf(addEntry(a, { registry: 'quay.io', username: 'org+robot', secret: 's' }, alice));
    sync(a, b);
    valueOf(editEntry(a, entry.id, { name: 'Quay prod' }, alice));
    valueOf(editEntry(b, entry.id, { pipelines: ['release'] }, bob));
    sync(a, b);
    expect(valueOf(getEntry(b, entry.id))).toMatchObject({ name: 'Quay prod', pipelines: ['release'], secret: 's' });
    expect(listEntries(a).secretConflicts).toEqual([]);
  });

  it('an edit made offline to an entry deleted elsewhere disappears with it', () => {
    const { a, b, alice, bob } = twoPeers();
    const entry = valueOf(addEntry(a, { registry: 'quay.io', username: 'org+robot', secret: 's' }, alice));
    sync(a, b);
    valueOf(deleteEntry(a, entry.id, alice));
    valueOf(editEntry(b, entry.id, { notes: 'still here?' }, bob));
    sync(a, b);
    expect(listEntries(a)).toEqual(listEntries(b));
    expect(listEntries(b).entries).toEqual([]);
  });
});

describe('recordCheck and flagRotation', () => {
  it('stores the last check without touching updatedAt, and validates it', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const entry = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'a', secret: 's' }, ctx));
    const check = {
      at: ctx.now() + 5,
      ok: false,
      code: 'unauthorized',
      message: 'Check if password/token has expired',
    };
    valueOf(recordCheck(doc, entry.id, check, ctx));
    expect(valueOf(getEntry(doc, entry.id))).toMatchObject({ lastCheck: check, updatedAt: entry.updatedAt });
    expect(recordCheck(doc, entry.id, { ...check, at: -1 }, ctx).ok).toBe(false);
    expect(recordCheck(doc, 'missing', check, ctx).ok).toBe(false);
  });

  it('flags every listed entry with the reason and reports ids it did not find', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('alice');
    const one = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'a', secret: 's' }, ctx));
    const two = valueOf(addEntry(doc, { registry: 'quay.io', username: 'a', secret: 's' }, ctx));
    ctx.advance(60_000);
    const result = valueOf(
      flagRotation(doc, [one.id, two.id, 'gone', one.id], 'Removed member bob could read it', ctx),
    );
    expect(result).toEqual({ flagged: [one.id, two.id], missing: ['gone'] });
    expect(valueOf(getEntry(doc, two.id)).rotationRecommended).toEqual({
      reason: 'Removed member bob could read it',
      at: ctx.now(),
    });
    expect(flagRotation(doc, [one.id], '  ', ctx).ok).toBe(false);
  });
});
