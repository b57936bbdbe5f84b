// A malicious member against protocol v5, on a real relay with real engines: hand-built Yjs structs and
// delete sets, sealed with the vault key and signed by the member's own device key, as a modified client
// would send them (the review's reproductions). Every honest peer refuses them, what they aimed at is
// intact, and honest edits around them converge. Also the honest side: a change this device's own judge
// (or its peers) refuse never stalls the edits after it.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { editEntry } from '../../../shared/entries/entry-mutations';
import { getEntryMap } from '../../../shared/entries/entry-doc';
import { flagRotation } from '../../../shared/entries/entry-flags';
import { judgeVaultChange } from '../../../shared/entries/change-judge';
import { createReplica, type JudgeReplica } from '../../../shared/sync/judge';
import { clientIdentityOf } from './harness';
import { writeCard } from '../../../shared/team/people';
import { valueOf } from '../../../shared/test-result';
import { craftUpdate, currentId } from '../../support/yjs-craft';
import { waitConverged, contentOf } from './clients';
import { waitForDoc, waitSynced } from './harness';
import { addOne, publishCrafted, startTeam, type Peer } from './team-peers';
import { useRelay } from './use-relay';

const relayOf = useRelay();
const OWNERSHIP = "writes under a Yjs client id its author's device does not own";

const reasonsOf = (peer: Peer) => peer.refused.map((change) => change.reason);
// The identity the harness gave the peer's document (one per document).
const generationsOf = (peer: Peer) => clientIdentityOf(peer.doc, '', peer.device.publicKey).generations();

async function editedBy(peer: Peer, watchers: readonly Peer[], id: string, notes: string) {
  valueOf(editEntry(peer.doc, id, { notes }, peer.ctx));
  await waitSynced(peer.engine);
  for (const watcher of watchers)
    await waitForDoc(watcher.doc, () => getEntryMap(watcher.doc, id)?.get('notes') === notes);
}

test("an overlapping struct on another member's client id (origin on the attacker's card) is refused by every peer", async () => {
  const { vault, admin, others } = await startTeam(relayOf().url, ['writer', 'writer']);
  const [bob, mallory] = others as [Peer, Peer];
  writeCard(bob.doc, bob.key, { name: 'Bob', person: 'p-bob', box: 'Ym94' });
  writeCard(mallory.doc, mallory.key, { name: 'Mallory', person: 'p-m' });
  await Promise.all([waitSynced(bob.engine), waitSynced(mallory.engine)]);
  await waitConverged([admin.doc, bob.doc, mallory.doc]);
  const bobClient = bob.doc.clientID;
  const attack = craftUpdate([
    {
      client: bobClient,
      clock: Y.getState(admin.doc.store, bobClient) - 1,
      structs: [{ kind: 'deleted', length: 2, origin: currentId(admin.doc.getMap('people'), mallory.key) }],
    },
  ]);
  await publishCrafted(relayOf().url, vault, mallory, attack, generationsOf(bob));
  await Promise.all([admin.refusals(1), bob.refusals(1)]);
  for (const peer of [admin, bob]) {
    expect(reasonsOf(peer)).toEqual([OWNERSHIP]);
    expect(peer.doc.getMap('people').get(bob.key)).toMatchObject({ name: 'Bob', box: 'Ym94' });
  }
  const id = addOne(bob, 'ghcr.io');
  await waitSynced(bob.engine);
  await waitForDoc(admin.doc, () => getEntryMap(admin.doc, id) !== undefined);
});

test("a GC struct squatting another member's next clocks is refused; that member's offline edits still arrive", async () => {
  const { vault, admin, others } = await startTeam(relayOf().url, ['writer', 'writer']);
  const [bob, mallory] = others as [Peer, Peer];
  const id = addOne(bob, 'quay.io');
  await waitSynced(bob.engine);
  await waitConverged([admin.doc, bob.doc, mallory.doc]);
  const bobClient = bob.doc.clientID;
  const squat = craftUpdate([
    { client: bobClient, clock: Y.getState(admin.doc.store, bobClient), structs: [{ kind: 'gc', length: 2 ** 40 }] },
  ]);
  await bob.engine.stop();
  await publishCrafted(relayOf().url, vault, mallory, squat, []);
  await admin.refusals(1);
  // Bob edits offline, then comes back: nothing of his is skipped as "already held".
  for (const notes of ['one', 'two', 'three']) valueOf(editEntry(bob.doc, id, { notes }, bob.ctx));
  await bob.engine.start();
  await waitSynced(bob.engine);
  await waitForDoc(admin.doc, () => getEntryMap(admin.doc, id)?.get('notes') === 'three');
  expect(reasonsOf(admin)).toEqual([OWNERSHIP]);
  expect(reasonsOf(bob)).toEqual([OWNERSHIP]);
  await waitConverged([admin.doc, bob.doc]);
});

test('a 100 KB chain of one-value structs is refused by structure; honest edits keep flowing', async () => {
  const { vault, admin, others } = await startTeam(relayOf().url, ['writer', 'writer']);
  const [bob, mallory] = others as [Peer, Peer];
  const id = addOne(bob, 'registry.gitlab.com');
  await waitSynced(bob.engine);
  await waitConverged([admin.doc, bob.doc, mallory.doc]);
  const own = mallory.doc.clientID;
  const start = Y.getState(admin.doc.store, own);
  const structs = Array.from({ length: 25_000 }, (_, i) =>
    i === 0
      ? ({ kind: 'value', value: 0, parent: 'people', key: mallory.key } as const)
      : ({ kind: 'value', value: i, origin: Y.createID(own, start + i - 1) } as const),
  );
  const bomb = craftUpdate([{ client: own, clock: start, structs }]);
  expect(bomb.length).toBeGreaterThan(100_000);
  await publishCrafted(relayOf().url, vault, mallory, bomb, generationsOf(mallory));
  await Promise.all([admin.refusals(1), bob.refusals(1)]);
  expect(reasonsOf(admin)).toEqual(['writes one key more than 1024 times']);
  await editedBy(bob, [admin], id, 'after the bomb');
});

test("deleting another member's future items or an activity item, and unlogged flag changes, are refused", async () => {
  const { vault, admin, others } = await startTeam(relayOf().url, ['writer', 'writer']);
  const [bob, mallory] = others as [Peer, Peer];
  const id = addOne(bob, 'ghcr.io');
  await waitSynced(bob.engine);
  valueOf(flagRotation(admin.doc, [id], 'Carol had access', admin.ctx));
  await waitSynced(admin.engine);
  await waitConverged([admin.doc, bob.doc, mallory.doc]);
  const bobClient = bob.doc.clientID;
  const future = Y.getState(admin.doc.store, bobClient);
  await publishCrafted(
    relayOf().url,
    vault,
    mallory,
    craftUpdate([], [{ client: bobClient, clock: future, length: 50 }]),
    [],
  );
  const activity = [...admin.doc.getMap('activity')._map.values()][0] as Y.Item;
  await publishCrafted(
    relayOf().url,
    vault,
    mallory,
    craftUpdate([], [{ client: activity.id.client, clock: activity.id.clock, length: 1 }]),
    [],
  );
  const flag = getEntryMap(admin.doc, id)?._map.get('rotationRecommended') as Y.Item;
  await publishCrafted(
    relayOf().url,
    vault,
    mallory,
    craftUpdate([], [{ client: flag.id.client, clock: flag.id.clock, length: 1 }]),
    [],
  );
  await Promise.all([admin.refusals(3), bob.refusals(3)]);
  for (const peer of [admin, bob]) {
    expect(reasonsOf(peer)).toEqual([
      'deletes something this vault does not hold',
      'removes an activity item',
      'flagged an entry without saying so in the activity list',
    ]);
    expect(getEntryMap(peer.doc, id)?.get('rotationRecommended')).toMatchObject({ reason: 'Carol had access' });
  }
  await editedBy(bob, [admin], id, 'still mine');
  expect(contentOf(admin.doc)).toEqual(contentOf(bob.doc));
});

test("this device's own judge keeps a change its peers would refuse local, and the next edit still reaches them", async () => {
  const { admin, others } = await startTeam(relayOf().url, ['writer']);
  const [bob] = others as [Peer];
  const id = addOne(bob, 'ghcr.io');
  await waitSynced(bob.engine);
  // What the credential helper used to do: write as 'docker login' instead of this device.
  valueOf(editEntry(bob.doc, id, { username: 'helper' }, { ...bob.ctx, actor: 'docker login' }));
  await bob.refusals(1);
  expect(bob.refused[0]).toMatchObject({ own: true, local: true, reason: 'claims another member in updatedBy' });
  await editedBy(bob, [admin], id, 'next edit');
  expect(admin.refused).toEqual([]);
  expect(getEntryMap(admin.doc, id)?.get('username')).toBe('ci');
});

test('after peers refuse one of its changes, a device continues on a fresh client id and loses nothing later', async () => {
  // Bob's client skips its own judge once (as a judge that differs would): his peers refuse that change.
  let skips = 1;
  const bobReplica = (vaultId: string): JudgeReplica => {
    const real = createReplica(vaultId, judgeVaultChange);
    return {
      ...real,
      propose: (counter, entry) => (skips-- > 0 ? Promise.resolve(null) : real.propose(counter, entry)),
    };
  };
  skips = 0;
  const { admin, others } = await startTeam(relayOf().url, ['writer'], [], (index, vaultId) =>
    index === 0 ? { replica: bobReplica(vaultId) } : undefined,
  );
  const [bob] = others as [Peer];
  const id = addOne(bob, 'ghcr.io');
  await waitSynced(bob.engine);
  await waitForDoc(admin.doc, () => getEntryMap(admin.doc, id) !== undefined);
  skips = 1;
  const before = bob.doc.clientID;
  valueOf(editEntry(bob.doc, id, { notes: 'n' }, { ...bob.ctx, actor: admin.key }));
  await Promise.all([admin.refusals(1), bob.refusals(1)]);
  expect(bob.refused[0]).toMatchObject({ own: true, reason: 'claims another member in updatedBy' });
  expect(bob.doc.clientID).not.toBe(before);
  // The same fields again: rebased past the refused values, accepted by every peer.
  await editedBy(bob, [admin], id, 'after the refusal');
  expect(admin.refused).toHaveLength(1);
});
