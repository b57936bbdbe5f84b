// The v5 judge against hand-built Yjs updates: what a malicious member's own client could send (any struct
// on any client id, any origin, parent or delete set) next to honest edits made through the entry model.
// Every attack of the review is crafted here byte by byte; tests/integration/sync/member-attacks.test.ts
// sends the same bytes through a real relay to real engines.
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../crypto/bytes';
import { ownedClientIds, clientIdFor, createClientIdentity, generationsOf } from '../sync/client-ids';
import { ReplicaCore } from '../sync/judge';
import type { Role } from '../sync/wire-records';
import { valueOf } from '../test-result';
import { writeCard } from '../team/people';
import { craftUpdate, currentId } from '../../tests/support/yjs-craft';
import { recordActivity, getActivityMap } from './activity';
import { judgeVaultChange } from './change-judge';
import { addEntry } from './entry-create';
import { getEntriesMap, getEntryMap } from './entry-doc';
import { recordCheck, flagRotation } from './entry-flags';
import { deleteEntry, editEntry } from './entry-mutations';
import { createManualContext } from './test-context';

const VAULT = 'vault-under-attack';

type Member = ReturnType<typeof member>;

function member(role: Role) {
  const key = nacl.randomBytes(32);
  const author = encodeBase64(key);
  const doc = new Y.Doc();
  const clients = createClientIdentity(doc, VAULT, key, nacl.randomBytes);
  return {
    key,
    author,
    role,
    doc,
    clients,
    ctx: createManualContext(author, Date.UTC(2026, 11, 1), author.slice(0, 6)),
  };
}

/** A replica every member's change goes through, and the members' documents it fans accepted ones out to. */
function team(...roles: Role[]) {
  const replica = new ReplicaCore(VAULT, judgeVaultChange);
  const members = roles.map(member);
  const settle = (from: Member, update: Uint8Array, generations?: readonly number[]) => {
    const change = {
      generations: generations ?? generationsOf(update, VAULT, from.key, from.clients.generations()),
      update,
    };
    const reason = replica.settle({ author: from.author, role: from.role, change });
    if (reason === null) {
      for (const other of members) if (other !== from) Y.applyUpdate(other.doc, update);
    } else {
      // As the engine does: after a refusal its author continues on a fresh client id.
      from.clients.advance();
    }
    return reason;
  };
  /** An honest edit through the entry model: captured from the member's document and settled. */
  const edit = (from: Member, change: (doc: Y.Doc) => void) => {
    const updates: Uint8Array[] = [];
    const keep = (update: Uint8Array) => updates.push(update);
    from.doc.on('update', keep);
    change(from.doc);
    from.doc.off('update', keep);
    return settle(from, Y.mergeUpdates(updates));
  };
  const log = () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, replica.encode());
    return doc;
  };
  return { replica, members, settle, edit, log };
}

function add(t: ReturnType<typeof team>, from: Member, registry = 'ghcr.io'): string {
  let id = '';
  expect(
    t.edit(from, (doc) => (id = valueOf(addEntry(doc, { registry, username: 'ci', secret: 's1' }, from.ctx)).id)),
  ).toBeNull();
  return id;
}

const stateOf = (doc: Y.Doc, client: number) => Y.getState(doc.store, client);

describe('honest changes are accepted', () => {
  it('add, edit, rotate, check, flag, cards, rename and delete, each with its rights', () => {
    const t = team('admin', 'writer', 'manager');
    const [admin, editor, manager] = t.members as [Member, Member, Member];
    const id = add(t, editor);
    expect(t.edit(editor, (doc) => valueOf(editEntry(doc, id, { notes: 'for ci' }, editor.ctx)))).toBeNull();
    expect(t.edit(editor, (doc) => valueOf(editEntry(doc, id, { secret: 's2' }, editor.ctx)))).toBeNull();
    const check = { at: 5, ok: true, code: 'ok', message: 'Logged in' };
    expect(t.edit(editor, (doc) => valueOf(recordCheck(doc, id, check, editor.ctx)))).toBeNull();
    expect(t.edit(admin, (doc) => valueOf(flagRotation(doc, [id], 'Carol had access', admin.ctx)))).toBeNull();
    expect(t.edit(editor, (doc) => writeCard(doc, editor.author, { name: 'Ed', person: 'p-ed' }))).toBeNull();
    expect(t.edit(admin, (doc) => doc.getMap('vault').set('name', 'Production'))).toBeNull();
    expect(t.edit(manager, (doc) => valueOf(deleteEntry(doc, id, manager.ctx)))).toBeNull();
    expect(getEntryMap(t.log(), id)).toBeUndefined();
  });

  it('concurrent edits of one field by two members are both accepted', () => {
    const t = team('admin', 'writer', 'writer');
    const [, a, b] = t.members as [Member, Member, Member];
    const id = add(t, a);
    const fromB: Uint8Array[] = [];
    const keep = (u: Uint8Array) => fromB.push(u);
    b.doc.on('update', keep);
    valueOf(editEntry(b.doc, id, { notes: 'b' }, b.ctx)); // before A's edit reaches B
    b.doc.off('update', keep);
    expect(t.edit(a, (doc) => valueOf(editEntry(doc, id, { notes: 'a' }, a.ctx)))).toBeNull();
    expect(t.settle(b, Y.mergeUpdates(fromB))).toBeNull();
  });

  it("an author's next change is judged on top of its own pending ones (its judge before sealing)", () => {
    const t = team('admin', 'writer');
    const [, editor] = t.members as [Member, Member];
    const updates: Uint8Array[] = [];
    editor.doc.on('update', (u: Uint8Array) => updates.push(u));
    const id = valueOf(addEntry(editor.doc, { registry: 'quay.io', username: 'u', secret: 's' }, editor.ctx)).id;
    valueOf(editEntry(editor.doc, id, { notes: 'n' }, editor.ctx));
    const [first, second] = updates as [Uint8Array, Uint8Array];
    const gens = editor.clients.generations();
    const entry = (update: Uint8Array) => ({
      author: editor.author,
      role: editor.role,
      change: { generations: gens, update },
    });
    expect(t.replica.propose(1, entry(first))).toBeNull();
    expect(t.replica.propose(2, entry(second))).toBeNull();
    // Without the first pending, the second starts past what the log holds of its client.
    expect(t.replica.settle(entry(second))).toBe('leaves a gap in its own changes');
    expect(t.replica.settleOwn(1, entry(first))).toBeNull();
    expect(t.replica.settleOwn(2, entry(second))).toBeNull();
  });
});

describe('client ids belong to devices (review items 1 and 2)', () => {
  it("an item overlapping another member's held clock, with its origin on the attacker's card, is refused", () => {
    const t = team('admin', 'writer', 'writer');
    const [admin, bob, mallory] = t.members as [Member, Member, Member];
    expect(t.edit(bob, (doc) => writeCard(doc, bob.author, { name: 'Bob', person: 'p-bob', box: 'b' }))).toBeNull();
    expect(t.edit(mallory, (doc) => writeCard(doc, mallory.author, { name: 'M', person: 'p-m' }))).toBeNull();
    const log = t.log();
    const bobClient = bob.doc.clientID;
    const held = stateOf(log, bobClient);
    const attack = craftUpdate([
      {
        client: bobClient,
        clock: held - 1,
        structs: [{ kind: 'deleted', length: 2, origin: currentId(log.getMap('people'), mallory.author) }],
      },
    ]);
    expect(t.settle(mallory, attack, mallory.clients.generations())).toBe(
      "writes under a Yjs client id its author's device does not own",
    );
    // Even naming Bob's generations: the author's key does not derive Bob's id.
    expect(t.settle(mallory, attack, bob.clients.generations())).toBe(
      "writes under a Yjs client id its author's device does not own",
    );
    expect(t.log().getMap('people').get(bob.author)).toMatchObject({ name: 'Bob', box: 'b' });
    void admin;
  });

  it("a GC struct over another member's next clocks is refused, and that member's offline edits arrive", () => {
    const t = team('admin', 'writer', 'writer');
    const [, bob, mallory] = t.members as [Member, Member, Member];
    const id = add(t, bob);
    const bobClient = bob.doc.clientID;
    const squat = craftUpdate([
      { client: bobClient, clock: stateOf(t.log(), bobClient), structs: [{ kind: 'gc', length: 2 ** 40 }] },
    ]);
    expect(t.settle(mallory, squat)).toBe("writes under a Yjs client id its author's device does not own");
    expect(t.edit(bob, (doc) => valueOf(editEntry(doc, id, { notes: 'offline edit' }, bob.ctx)))).toBeNull();
    expect(getEntryMap(t.log(), id)?.get('notes')).toBe('offline edit');
  });

  it('on its own client, an item straddling what is held (Yjs would relink its rest and delete) is refused', () => {
    const t = team('admin', 'writer');
    const [, mallory] = t.members as [Member, Member];
    const id = add(t, mallory);
    const log = t.log();
    const own = mallory.doc.clientID;
    const attack = craftUpdate([
      {
        client: own,
        clock: stateOf(log, own) - 1,
        structs: [{ kind: 'deleted', length: 2, parent: 'activity', key: 'x' }],
      },
    ]);
    expect(t.settle(mallory, attack)).toBe('overlaps what this vault already holds');
    expect(getEntryMap(t.log(), id)).toBeDefined();
  });

  it('a gap on its own client, or a skip, is refused (nothing is ever left pending)', () => {
    const t = team('admin', 'writer');
    const [, mallory] = t.members as [Member, Member];
    const own = mallory.doc.clientID;
    const gap = craftUpdate([
      { client: own, clock: 5, structs: [{ kind: 'value', value: 1, parent: 'vault', key: 'x' }] },
    ]);
    expect(t.settle(mallory, gap)).toBe('leaves a gap in its own changes');
    const skip = craftUpdate([
      {
        client: own,
        clock: 0,
        structs: [
          { kind: 'skip', length: 3 },
          { kind: 'gc', length: 1 },
        ],
      },
    ]);
    expect(t.settle(mallory, skip)).toBe('leaves a gap in its own changes (a skip)');
  });
});

describe('cost is bounded by structure (review item 3)', () => {
  it('a chain of one-value structs on one key is refused past the per-key cap', () => {
    const t = team('admin', 'writer');
    const [, mallory] = t.members as [Member, Member];
    const own = mallory.doc.clientID;
    const structs = Array.from({ length: 20_000 }, (_, i) =>
      i === 0
        ? ({ kind: 'value', value: i, parent: 'people', key: mallory.author } as const)
        : ({ kind: 'value', value: i, origin: Y.createID(own, i - 1) } as const),
    );
    expect(t.settle(mallory, craftUpdate([{ client: own, clock: 0, structs }]))).toBe(
      'writes one key more than 1024 times',
    );
  });

  it('a value nested deeper than 64 levels, or a chain over a long history, is refused', () => {
    const t = team('admin', 'writer');
    const [, mallory] = t.members as [Member, Member];
    let deep: unknown = 'x';
    for (let i = 0; i < 80; i++) deep = [deep];
    const own = mallory.doc.clientID;
    expect(
      t.settle(
        mallory,
        craftUpdate([
          { client: own, clock: 0, structs: [{ kind: 'value', value: deep, parent: 'people', key: mallory.author }] },
        ]),
      ),
    ).toBe('writes a value nested deeper than 64 levels');
  });
});

describe('what an Editor may not do is refused', () => {
  it('deleting an entry, replacing one, an activity item or another card', () => {
    const t = team('admin', 'writer', 'writer');
    const [admin, bob, mallory] = t.members as [Member, Member, Member];
    const id = add(t, bob);
    const log = t.log();
    const entryItem = getEntriesMap(log)._map.get(id) as Y.Item;
    const activityItem = [...getActivityMap(log)._map.values()][0] as Y.Item;
    const del = (target: Y.Item) => craftUpdate([], [{ client: target.id.client, clock: target.id.clock, length: 1 }]);
    expect(t.settle(mallory, del(entryItem))).toBe('deletes an entry without the delete permission');
    expect(t.settle(mallory, del(activityItem))).toBe('removes an activity item');
    const own = mallory.doc.clientID;
    // A value under the entry's key without an origin (a replacement Yjs would integrate as the newest).
    const replace = craftUpdate([
      { client: own, clock: 0, structs: [{ kind: 'deleted', length: 1, parent: 'entries', key: id }] },
    ]);
    expect(t.settle(mallory, replace)).toBe('replaces an entry without the delete permission');
    expect(
      t.settle(
        mallory,
        craftUpdate([
          {
            client: own,
            clock: 0,
            structs: [{ kind: 'value', value: { name: 'x', person: 'p' }, parent: 'people', key: admin.author }],
          },
        ]),
      ),
    ).toBe("writes another member's name card");
    expect(getEntryMap(t.log(), id)).toBeDefined();
  });

  it('unlogged annotations, wrong registries, registry changes and another person are refused (review item 8)', () => {
    // One attacker each: after a refusal, an author's later edits of the same field build on what was refused.
    const t = team('admin', 'writer', 'writer', 'writer', 'writer', 'writer');
    const [admin, bob, faker, misnamer, mover, impostor] = t.members as [
      Member,
      Member,
      Member,
      Member,
      Member,
      Member,
    ];
    const id = add(t, bob, 'ghcr.io');
    expect(t.edit(admin, (doc) => writeCard(doc, bob.author, { name: 'Bob', person: 'p-bob' }))).toBeNull();
    const fake = { at: 1, ok: true, code: 'ok', message: 'fake' };
    expect(t.edit(faker, (doc) => getEntryMap(doc, id)?.set('lastCheck', fake))).toBe(
      'checked an entry without saying so in the activity list',
    );
    expect(t.edit(faker, (doc) => getEntryMap(doc, id)?.delete('rotationRecommended'))).toBeNull(); // nothing to clear
    expect(
      t.edit(misnamer, (doc) =>
        doc.transact(() => {
          getEntryMap(doc, id)?.set('lastCheck', fake);
          recordActivity(doc, 'checked', [{ id, registry: 'quay.io' }], misnamer.ctx);
        }),
      ),
    ).toBe('names the wrong registry in the activity list');
    expect(
      t.edit(mover, (doc) =>
        doc.transact(() => {
          getEntryMap(doc, id)?.set('registry', 'evil.example.com');
          recordActivity(doc, 'edited', [{ id, registry: 'ghcr.io' }], mover.ctx);
        }),
      ),
    ).toBe("changes an entry's registry, which is fixed once it exists");
    expect(t.edit(impostor, (doc) => writeCard(doc, impostor.author, { name: 'Bob too', person: 'p-bob' }))).toBe(
      'lists its device under another person',
    );
    expect(getEntryMap(t.log(), id)?.get('registry')).toBe('ghcr.io');
  });

  it('clearing a rotation flag is logged, or refused', () => {
    const t = team('admin', 'writer', 'writer');
    const [admin, bob, mallory] = t.members as [Member, Member, Member];
    const id = add(t, bob);
    expect(t.edit(admin, (doc) => valueOf(flagRotation(doc, [id], 'Carol had access', admin.ctx)))).toBeNull();
    expect(t.edit(mallory, (doc) => getEntryMap(doc, id)?.delete('rotationRecommended'))).toBe(
      'flagged an entry without saying so in the activity list',
    );
    expect(getEntryMap(t.log(), id)?.get('rotationRecommended')).toMatchObject({ reason: 'Carol had access' });
  });

  it('content a vault does not hold: text, lists, unknown roots, nested maps too deep', () => {
    const t = team('admin', 'writer');
    const [, mallory] = t.members as [Member, Member];
    const own = mallory.doc.clientID;
    const one = (struct: Parameters<typeof craftUpdate>[0][number]['structs'][number]) =>
      t.settle(mallory, craftUpdate([{ client: own, clock: 0, structs: [struct] }]));
    expect(one({ kind: 'text', text: 'hi', parent: 'people', key: mallory.author })).toBe(
      'writes content a vault does not hold',
    );
    expect(one({ kind: 'value', value: 1, parent: 'elsewhere', key: 'k' })).toBe(
      'writes a root map a vault does not have (elsewhere)',
    );
    expect(one({ kind: 'value', value: 1, parent: 'people' })).toBe('inserts into a list (a vault holds only maps)');
  });

  it("deleting what the vault does not hold (another member's future items) is refused", () => {
    const t = team('admin', 'writer', 'writer');
    const [, bob, mallory] = t.members as [Member, Member, Member];
    const future = stateOf(t.log(), bob.doc.clientID) + 10;
    expect(t.settle(mallory, craftUpdate([], [{ client: bob.doc.clientID, clock: future, length: 5 }]))).toBe(
      'deletes something this vault does not hold',
    );
  });
});

describe('client ids', () => {
  it('are derived from vault, device and generation, 53 bits, and a generation never reuses a held id', () => {
    const key = nacl.randomBytes(32);
    const id = clientIdFor(VAULT, key, 7);
    expect(Number.isSafeInteger(id)).toBe(true);
    expect(clientIdFor(VAULT, key, 7)).toBe(id);
    expect(clientIdFor('other', key, 7)).not.toBe(id);
    expect(ownedClientIds(VAULT, key, [7]).has(id)).toBe(true);
    const doc = new Y.Doc();
    const identity = createClientIdentity(doc, VAULT, key, nacl.randomBytes);
    const before = doc.clientID;
    identity.advance();
    expect(doc.clientID).not.toBe(before);
    expect(identity.generations()).toHaveLength(2);
  });
});
