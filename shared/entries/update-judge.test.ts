import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { getEntriesMap, getEntryMap, SECRETS_FIELD } from './entry-doc';
import { addEntry } from './entry-create';
import { deleteEntry, editEntry } from './entry-mutations';
import { ACTIVITY_MAP, readActivity, recordMemberActivity } from './activity';
import { judgeVaultUpdate, PEOPLE_MAP, VAULT_MAP, type AuthorRights } from './update-judge';
import { createManualContext } from './test-context';

const alice = 'alice-key';
const eve = 'eve-key';
const editor: AuthorRights = { delete: false, admin: false };
const manager: AuthorRights = { delete: true, admin: false };
const admin: AuthorRights = { delete: true, admin: true };

/** A vault holding one entry written by Alice, and Eve's copy of it. */
function sharedVault() {
  const doc = new Y.Doc();
  const entry = addEntry(doc, { registry: 'ghcr.io', username: 'bot', secret: 's1' }, createManualContext(alice));
  if (!entry.ok) throw new Error('entry not added');
  const mine = new Y.Doc();
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(doc));
  return { doc, mine, id: entry.value.id };
}

/** What Eve's client sends after `change` runs on her copy. */
function changeBy(mine: Y.Doc, change: () => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const keep = (update: Uint8Array) => updates.push(update);
  mine.on('update', keep);
  change();
  mine.off('update', keep);
  return Y.mergeUpdates(updates);
}

describe('judging a member change', () => {
  test('an edit signed as its author passes; the same change naming someone else in updatedBy is refused', () => {
    const { doc, mine, id } = sharedVault();
    const honest = changeBy(mine, () => editEntry(mine, id, { username: 'eve' }, createManualContext(eve)));
    expect(judgeVaultUpdate({ doc, update: honest, author: eve, rights: editor })).toBeNull();
    Y.applyUpdate(doc, honest);
    const forged = changeBy(mine, () => getEntryMap(mine, id)?.set('updatedBy', alice));
    expect(judgeVaultUpdate({ doc, update: forged, author: eve, rights: admin })).toBe(
      'claims another member in updatedBy',
    );
  });

  test('a new secret version must be by its author', () => {
    const { doc, mine, id } = sharedVault();
    const forged = changeBy(mine, () => {
      const secrets = getEntryMap(mine, id)?.get(SECRETS_FIELD) as Y.Map<unknown>;
      secrets.set('v-forged', { value: 'stolen', at: 1, by: alice });
    });
    expect(judgeVaultUpdate({ doc, update: forged, author: eve, rights: manager })).toBe(
      'claims another member as the author of a secret',
    );
    const fresh = sharedVault();
    const rotation = changeBy(fresh.mine, () =>
      editEntry(fresh.mine, fresh.id, { secret: 's2' }, createManualContext(eve)),
    );
    expect(judgeVaultUpdate({ doc: fresh.doc, update: rotation, author: eve, rights: editor })).toBeNull();
  });

  test('deleting an entry needs the delete right: refused for an editor, applied for a manager', () => {
    const { doc, mine, id } = sharedVault();
    const removal = changeBy(mine, () => deleteEntry(mine, id, createManualContext(eve)));
    expect(judgeVaultUpdate({ doc, update: removal, author: eve, rights: editor })).toBe(
      'deletes an entry without the delete permission',
    );
    expect(judgeVaultUpdate({ doc, update: removal, author: eve, rights: manager })).toBeNull();
  });

  test('replacing an entry under its key is a removal too, even crafted without its delete or origin', () => {
    const { doc, mine, id } = sharedVault();
    const replaced = changeBy(mine, () => getEntriesMap(mine).set(id, new Y.Map()));
    expect(judgeVaultUpdate({ doc, update: replaced, author: eve, rights: editor })).toBe(
      'deletes an entry without the delete permission',
    );
    // Crafted without an origin, as if Eve had never seen the entry: the key is taken all the same.
    const blind = new Y.Doc();
    const fresh = changeBy(blind, () => blind.getMap('entries').set(id, new Y.Map()));
    expect(judgeVaultUpdate({ doc, update: fresh, author: eve, rights: editor })).toBe(
      'replaces an entry without the delete permission',
    );
  });

  test('deletions of items the vault does not hold yet are refused (they would strike a future edit)', () => {
    const { doc } = sharedVault();
    // Eve predicts Alice's next item ids (client id and clock are public) and deletes them ahead of time.
    const future = new Y.Doc();
    Y.applyUpdate(future, Y.encodeStateAsUpdate(doc));
    future.clientID = [...doc.store.clients.keys()][0] ?? 0;
    future.getMap('scratch').set('next', 'Alice writes this later');
    future.getMap('scratch').delete('next');
    const deletesOnly = Y.encodeStateAsUpdate(future, Y.encodeStateVector(future));
    expect(Y.decodeUpdate(deletesOnly).structs).toHaveLength(0);
    expect(judgeVaultUpdate({ doc, update: deletesOnly, author: eve, rights: admin })).toBe(
      'deletes something this vault does not hold',
    );
  });

  test('name cards: a device writes only its own; the vault name is for admins', () => {
    const { doc, mine } = sharedVault();
    const own = changeBy(mine, () => mine.getMap(PEOPLE_MAP).set(eve, { name: 'Eve', person: 'p-eve' }));
    expect(judgeVaultUpdate({ doc, update: own, author: eve, rights: editor })).toBeNull();
    const other = changeBy(mine, () => mine.getMap(PEOPLE_MAP).set(alice, { name: 'Mallory', person: 'p-eve' }));
    expect(judgeVaultUpdate({ doc, update: other, author: eve, rights: manager })).toBe(
      "writes another member's name card",
    );
    const rename = changeBy(mine, () => mine.getMap(VAULT_MAP).set('name', 'Pwned'));
    expect(judgeVaultUpdate({ doc, update: rename, author: eve, rights: manager })).toBe(
      "writes the vault's settings without being an admin",
    );
    expect(judgeVaultUpdate({ doc, update: rename, author: eve, rights: admin })).toBeNull();
  });

  test('the activity list must say exactly what a change does, by its author, and is never rewritten', () => {
    const { doc, mine, id } = sharedVault();
    const silent = changeBy(mine, () => getEntryMap(mine, id)?.set('notes', 'quietly changed'));
    expect(judgeVaultUpdate({ doc, update: silent, author: eve, rights: editor })).toBe(
      'edited an entry without saying so in the activity list',
    );
    const understated = new Y.Doc();
    Y.applyUpdate(understated, Y.encodeStateAsUpdate(doc));
    const rotation = changeBy(understated, () => {
      editEntry(understated, id, { secret: 'new' }, createManualContext(eve));
      const activity = understated.getMap(ACTIVITY_MAP);
      for (const [key, value] of activity) {
        if ((value as { action: string }).action === 'rotated')
          activity.set(`${key}-x`, { ...(value as object), action: 'edited' });
      }
    });
    expect(judgeVaultUpdate({ doc, update: rotation, author: eve, rights: editor })).toBe(
      'lists one entry twice in the activity list',
    );
    const misnamed = new Y.Doc();
    Y.applyUpdate(misnamed, Y.encodeStateAsUpdate(doc));
    const quietRotation = changeBy(misnamed, () => {
      const secrets = getEntryMap(misnamed, id)?.get(SECRETS_FIELD) as Y.Map<unknown>;
      secrets.set('v-quiet', { value: 'new', at: 2, by: eve });
      const item = { action: 'edited', entries: [id], registries: ['ghcr.io'], by: eve, at: 2 };
      misnamed.getMap(ACTIVITY_MAP).set('quiet-note', item);
    });
    expect(judgeVaultUpdate({ doc, update: quietRotation, author: eve, rights: editor })).toBe(
      'says it edited an entry it rotated',
    );
    const erased = new Y.Doc();
    Y.applyUpdate(erased, Y.encodeStateAsUpdate(doc));
    const noting = new Y.Doc();
    Y.applyUpdate(noting, Y.encodeStateAsUpdate(doc));
    const noted = changeBy(noting, () => recordMemberActivity(noting, 1, createManualContext(eve, 0, 'member-note')));
    expect(judgeVaultUpdate({ doc, update: noted, author: eve, rights: manager })).toBe(
      'notes a member change without being an admin',
    );
    expect(judgeVaultUpdate({ doc, update: noted, author: eve, rights: admin })).toBeNull();
    const erase = changeBy(erased, () => erased.getMap(ACTIVITY_MAP).clear());
    expect(judgeVaultUpdate({ doc, update: erase, author: eve, rights: admin })).toBe('removes an activity item');
    expect(
      readActivity(doc).map((item) => [item.action, 'registries' in item ? item.registries : [], item.by]),
    ).toEqual([['added', ['ghcr.io'], alice]]);
  });

  test('an honest edit racing a deletion (its entry already collected) is not refused', () => {
    const { doc, mine, id } = sharedVault();
    const edit = changeBy(mine, () => editEntry(mine, id, { username: 'late' }, createManualContext(eve)));
    deleteEntry(doc, id, createManualContext(alice));
    expect(judgeVaultUpdate({ doc, update: edit, author: eve, rights: editor })).toBeNull();
  });
});
