import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { readActivity } from './activity';
import { addEntry } from './entry-create';
import { editEntry, getEntry } from './entry-mutations';
import { listEntries } from './entry-list';
import { copyEntryTo, moveEntryTo } from './entry-transfer';
import { readSecretHistory } from './secret-restore';
import { captureUpdate, createManualContext } from './test-context';
import { judgeAsMember as judgeVaultUpdate, type AuthorRights } from './test-context';

const editor: AuthorRights = { delete: false, admin: false };
const manager: AuthorRights = { delete: true, admin: false };

/** Staging (one entry by Alice, rotated once) and Production, as Eve's copies and the peers' copies. */
function twoVaults() {
  const alice = createManualContext('alice');
  const staging = new Y.Doc();
  const added = addEntry(staging, { registry: 'ghcr.io', username: 'ci', secret: 'old', notes: 'n' }, alice);
  if (!added.ok) throw new Error(added.error.message);
  editEntry(staging, added.value.id, { secret: 'new', pipelines: ['deploy'] }, alice);
  const production = new Y.Doc();
  const peer = (doc: Y.Doc) => {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    return copy;
  };
  return { staging, production, stagingPeer: peer(staging), productionPeer: peer(production), id: added.value.id };
}

describe('move and copy to another vault', () => {
  test('a copy carries fields, secret and history, names the mover, and is logged as added', () => {
    const { staging, production, id } = twoVaults();
    const eve = createManualContext('eve', Date.UTC(2025, 5, 1));
    const copied = copyEntryTo(staging, id, production, eve);
    if (!copied.ok) throw new Error(copied.error.message);
    const original = getEntry(staging, id);
    expect(original.ok).toBe(true);
    expect(copied.value).toMatchObject({ registry: 'ghcr.io', username: 'ci', secret: 'new', notes: 'n' });
    expect(copied.value.pipelines).toEqual(['deploy']);
    expect(copied.value).toMatchObject({ createdBy: 'eve', updatedBy: 'eve' });
    expect(readSecretHistory(production, copied.value.id).map((p) => p.value)).toEqual(['old']);
    expect(readActivity(production)[0]).toMatchObject({ action: 'added', by: 'eve', entries: [copied.value.id] });
    // Once there, the registry is taken in the target.
    const again = copyEntryTo(staging, id, production, eve);
    expect(again.ok || again.error.code).toBe('registry-exists');
  });

  test("a move adds to the target and deletes from the source; both vaults' peers accept it from a Manager", () => {
    const { staging, production, stagingPeer, productionPeer, id } = twoVaults();
    const eve = createManualContext('eve');
    let moved: ReturnType<typeof moveEntryTo> | undefined;
    const toTarget = captureUpdate(production, () => {
      const fromSource = captureUpdate(staging, () => (moved = moveEntryTo(staging, id, production, eve)));
      expect(judgeVaultUpdate({ doc: stagingPeer, update: fromSource, author: 'eve', rights: manager })).toBeNull();
      // Without the delete right, the source vault's peers refuse the move's deletion.
      expect(judgeVaultUpdate({ doc: stagingPeer, update: fromSource, author: 'eve', rights: editor })).toBe(
        'deletes an entry without the delete permission',
      );
    });
    expect(judgeVaultUpdate({ doc: productionPeer, update: toTarget, author: 'eve', rights: editor })).toBeNull();
    expect(moved?.ok).toBe(true);
    expect(listEntries(staging).entries).toHaveLength(0);
    expect(listEntries(production).entries).toHaveLength(1);
    expect(readActivity(staging)[0]).toMatchObject({ action: 'deleted', entries: [id], registries: ['ghcr.io'] });
  });

  test('a refused copy changes neither vault', () => {
    const { staging, production, id } = twoVaults();
    addEntry(production, { registry: 'ghcr.io', username: 'other', secret: 'x' }, createManualContext('bob'));
    const before = [Y.encodeStateVector(staging), Y.encodeStateVector(production)];
    const moved = moveEntryTo(staging, id, production, createManualContext('eve'));
    expect(moved.ok).toBe(false);
    expect([Y.encodeStateVector(staging), Y.encodeStateVector(production)]).toEqual(before);
  });
});
