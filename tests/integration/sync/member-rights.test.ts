// Issue #13: the relay cannot see what an envelope does, so every peer judges it. A malicious member's
// client (a real engine on a real relay, changing its document in ways the UI never would) sends
// deletions without the delete right, forged authorship and old member-log positions; every peer
// refuses the same envelopes, reports them, and converges on the honest edits around them.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { deleteEntry, editEntry } from '../../../shared/entries/entry-mutations';
import { encodeChange } from '../../../shared/sync/change';
import { captureUpdate } from '../../../shared/entries/test-context';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { errorCodes } from '../../../shared/sync/codes';
import type { Role } from '../../../shared/sync/wire-records';
import { valueOf } from '../../../shared/test-result';
import { contentOf, linkDevice, waitConverged } from './clients';
import { createTestDevice, nodeRandom, openRawSession, waitForDoc, waitSynced, type TestDevice } from './harness';
import { addOne, hasEntry, roleReached, startPeer as startPeerAt, startTeam, type Peer } from './team-peers';
import { useRelay } from './use-relay';

const relayOf = useRelay();
const team = (roles: readonly Role[], malicious: readonly number[] = []) => startTeam(relayOf().url, roles, malicious);

test('an editor deleting an entry and forging authorship is refused by every peer; honest edits converge', async () => {
  const { admin, others } = await team(['writer', 'writer', 'writer', 'reader'], [0, 1]);
  const [eve, fred, bob, viewer] = others as [Peer, Peer, Peer, Peer];
  const target = addOne(admin, 'ghcr.io');
  await waitConverged([admin.doc, eve.doc, fred.doc, bob.doc, viewer.doc]);

  deleteEntry(eve.doc, target, eve.ctx); // Eve's client lets her; her envelope is stored (she may write)
  await waitSynced(eve.engine);
  // Fred edits as if he were the admin (his own envelope, someone else's name in updatedBy).
  valueOf(editEntry(fred.doc, target, { username: 'fred' }, { ...fred.ctx, actor: admin.key }));
  await waitSynced(fred.engine);
  const honest = addOne(bob, 'registry.gitlab.com');
  await waitForDoc(viewer.doc, () => hasEntry(viewer.doc, honest));

  const peers = [admin, bob, viewer];
  await waitConverged(peers.map((peer) => peer.doc));
  for (const peer of peers) {
    expect(hasEntry(peer.doc, target)).toBe(true);
    expect(peer.refused.map((change) => [change.author, change.reason])).toEqual([
      [eve.key, 'deletes an entry without the delete permission'],
      // Its updatedBy and its activity item both name the admin; whichever is read first is reported.
      [fred.key, expect.stringMatching(/^claims another member in (updatedBy|the activity list)$/)],
    ]);
  }
  // Every peer refused the same envelopes (same sequence numbers).
  expect(new Set(peers.map((peer) => JSON.stringify(peer.refused.map((change) => change.seq)))).size).toBe(1);
});

test('a promotion applies from the position it is signed at: a device catching up later judges alike', async () => {
  const { vault, admin, others } = await team(['writer'], [0]);
  const [eve] = others as [Peer];
  const first = addOne(admin, 'ghcr.io');
  const second = addOne(admin, 'quay.io');
  await waitConverged([admin.doc, eve.doc]);
  deleteEntry(eve.doc, first, eve.ctx); // still a writer: refused
  await waitSynced(eve.engine);
  await admin.refusals(1);

  valueOf(await admin.engine.changeRole(eve.device.publicKey, 'manager'));
  await roleReached(eve, eve.key, 'manager');
  expect(admin.engine.memberEvents().at(-1)).toMatchObject({ subject: eve.key, role: 'manager', before: 'writer' });
  deleteEntry(eve.doc, second, eve.ctx); // now a manager: applied
  await waitForDoc(admin.doc, () => !hasEntry(admin.doc, second));
  expect(hasEntry(admin.doc, first)).toBe(true);

  // A new member receives the whole member log (Eve a manager) before the envelopes; the first
  // deletion names the position at which she was a writer, so it refuses it too.
  const late = createTestDevice();
  const newcomer = startPeerAt(relayOf().url, vault, late, await linkDevice(relayOf().url, admin, late, 'reader'));
  await newcomer.engine.start();
  await waitSynced(newcomer.engine);
  await newcomer.refusals(1);
  await waitConverged([admin.doc, newcomer.doc]);
  expect(contentOf(newcomer.doc)).toEqual(contentOf(admin.doc));
  expect(newcomer.refused.map((change) => change.seq)).toEqual(admin.refused.map((change) => change.seq));
});

test('a demoted manager cannot name the old position to delete; the relay refuses it, the viewer may not write', async () => {
  const { vault, admin, others } = await team(['manager', 'reader']);
  const [mallory, viewer] = others as [Peer, Peer];
  const id = addOne(mallory, 'ghcr.io');
  await waitConverged([admin.doc, mallory.doc, viewer.doc]);
  const position = 3; // genesis and the two links: Mallory was a manager there
  valueOf(await admin.engine.changeRole(mallory.device.publicKey, 'writer'));
  await mallory.engine.stop();

  const raw = await openRawSession(relayOf().url, mallory.device);
  const removal = new Y.Doc();
  Y.applyUpdate(removal, Y.encodeStateAsUpdate(mallory.doc));
  const update = captureUpdate(removal, () => deleteEntry(removal, id, mallory.ctx));
  const publish = async (device: TestDevice, counter: number) =>
    raw.session.request({
      t: 'publish',
      env: encodeEnvelope(
        await sealEnvelope({
          vault: vault.vaultId,
          vaultKey: vault.vaultKey,
          counter,
          members: position,
          update: encodeChange({ generations: [], update }),
          signer: device,
          random: nodeRandom,
        }),
      ),
    });
  await expect(publish(mallory.device, 100)).rejects.toMatchObject({ code: errorCodes.notAWriter });
  raw.session.close();

  const asViewer = await openRawSession(relayOf().url, viewer.device);
  const viewerEnvelope = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 1,
    members: position,
    update: encodeChange({ generations: [], update }),
    signer: viewer.device,
    random: nodeRandom,
  });
  await expect(asViewer.session.request({ t: 'publish', env: encodeEnvelope(viewerEnvelope) })).rejects.toMatchObject({
    code: errorCodes.notAWriter,
  });
  asViewer.session.close();
  expect(hasEntry(admin.doc, id)).toBe(true);
});
