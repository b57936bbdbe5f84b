import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, editEntry, getEntriesMap, listEntries, resolveConflict } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import { describeDamaged, registryConflictViews, secretConflictViews } from './conflicts';
import { valueOf } from '../../../shared/test-result';

function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

describe('conflict choices after merging offline copies', () => {
  it('offers one choice per entry of a registry added on two devices; each drops the others', () => {
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    const alice = createManualContext('alice');
    const bob = createManualContext('bob');
    const first = valueOf(addEntry(a, { registry: 'ghcr.io', name: 'Laptop', username: 'me', secret: '1' }, alice));
    const second = valueOf(addEntry(b, { registry: 'ghcr.io', name: 'Desktop', username: 'bot', secret: '2' }, bob));
    sync(a, b);

    const [view] = registryConflictViews(listEntries(a));
    expect(view?.message).toContain('ghcr.io has 2 entries');
    const laptop = view?.choices.find((c) => c.keepId === first.id);
    expect(laptop).toMatchObject({ label: 'Keep “Laptop” (me)', dropIds: [second.id] });
    expect(laptop?.detail).toContain('by alice');

    valueOf(resolveConflict(a, first.id, laptop?.dropIds ?? [], alice));
    expect(registryConflictViews(listEntries(a))).toEqual([]);
  });

  it('offers each secret version of an entry rotated on two devices, without showing the secrets', () => {
    const [a, b] = [new Y.Doc(), new Y.Doc()];
    const alice = createManualContext('alice');
    const bob = createManualContext('bob');
    const entry = valueOf(
      addEntry(a, { registry: 'quay.io', name: 'Quay', username: 'org+bot', secret: 'old' }, alice),
    );
    sync(a, b);
    alice.advance(1000);
    bob.advance(2000);
    valueOf(editEntry(a, entry.id, { secret: 'alice-new' }, alice));
    valueOf(editEntry(b, entry.id, { secret: 'bob-new' }, bob));
    sync(a, b);

    const [view] = secretConflictViews(listEntries(a));
    expect(view?.message).toContain('The password of “Quay” was changed on 2 devices');
    expect(view?.choices.map((c) => c.label.split(' by ')[1])).toEqual(['bob', 'alice']);
    expect(JSON.stringify(view)).not.toContain('alice-new');
  });

  it('reports unreadable entries, and nothing when all are readable', () => {
    const doc = new Y.Doc();
    expect(describeDamaged(listEntries(doc))).toBeNull();
    getEntriesMap(doc).set('broken', 42);
    expect(describeDamaged(listEntries(doc))).toContain('1 entry in this vault could not be read');
  });
});
