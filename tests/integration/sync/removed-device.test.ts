// A removed device keeps its keys until a key rotation, so a relay working with it could still serve
// envelopes it signs after its removal. The removal record freezes its counter; peers refuse anything
// it signs above that (issue #11, item 12).
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { encodeSnapshot, sealSnapshot } from '../../../shared/sync/snapshot';
import { signMemberRecord, verifyMemberLog, type MemberState } from '../../../shared/sync/members';
import { createTestVault, startLinkedClients, startLinkedWriter, startWatchedPeer } from './clients';
import {
  createTestDevice,
  nodeRandom,
  nodeVerify,
  openRawSession,
  waitForDoc,
  waitForStatus,
  waitSynced,
} from './harness';
import { useRelay } from './use-relay';
import { valueOf } from '../../../shared/test-result';

const relayOf = useRelay();

test("a removed device's envelopes signed after its removal are refused by its peers", async () => {
  const vault = await createTestVault();
  const { mitm, owner, peer } = await startWatchedPeer(relayOf().url, vault);
  const gone = await startLinkedWriter(relayOf().url, owner.client, vault);
  const removed = gone.device;
  gone.doc.getMap('entries').set('before-removal', 'accepted');
  await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').has('before-removal'));
  valueOf(await owner.client.engine.removeDevice(removed.publicKey));
  await gone.engine.stop();

  // Signed by the removed device after its removal; the relay refuses it from that device, so a
  // compromised relay slips it into the peer's stream itself.
  gone.doc.getMap('entries').set('after-removal', 'must not arrive');
  const env = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 2,
    // The position at which it was still a writer: its removal caps its counters at 1 all the same.
    members: 3,
    update: Y.encodeStateAsUpdate(gone.doc),
    signer: removed,
    random: nodeRandom,
  });
  const frame = (seq: number) => JSON.stringify({ t: 'env', seq, env: encodeEnvelope(env) });
  mitm.state.rewrite = (f) => (f.t === 'subscribed' ? [JSON.stringify(f), frame(Number(f.head) + 1)] : undefined);
  await peer.restart();
  const status = await waitForStatus(peer.client.engine, (s) => typeof s === 'object' && 'error' in s);
  expect(status).toMatchObject({ error: { code: errorCodes.forgedEnvelope } });
  expect(peer.client.doc.getMap('entries').has('after-removal')).toBe(false);
  expect(peer.client.doc.getMap('entries').get('before-removal')).toBe('accepted');
  for (const c of [owner, peer]) await c.stop();
});

test('the relay refuses a removal without the last counter, or one freezing it below an accepted envelope', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const client = await startLinkedWriter(relayOf().url, owner.client, vault);
  const writer = client.device;
  client.doc.getMap('entries').set('one', '1');
  client.doc.getMap('entries').set('two', '2');
  await waitForDoc(owner.client.doc, () => owner.client.doc.getMap('entries').has('two'));
  await client.engine.stop();
  const { session } = await openRawSession(relayOf().url, vault.owner);
  const subscribed = await session.request({ t: 'subscribe', vault: vault.vaultId, from: 0 });
  if (subscribed.t !== 'subscribed') throw new Error(`unexpected ${subscribed.t}`);
  const state = (await verifyMemberLog(vault.vaultId, subscribed.members, nodeVerify)) as MemberState;
  const remove = { action: 'remove', subject: writer.publicKey, role: 'reader' } as const;
  for (const [last, pattern] of [
    [undefined, /must carry the last counter/],
    [1, /holds changes of that device up to counter 2/],
  ] as const) {
    const record = await signMemberRecord(state, last === undefined ? remove : { ...remove, last }, vault.owner);
    await expect(session.request({ t: 'authorize', record })).rejects.toMatchObject({
      code: errorCodes.badRecord,
      message: expect.stringMatching(pattern),
    });
  }
  await session.request({ t: 'authorize', record: await signMemberRecord(state, { ...remove, last: 2 }, vault.owner) });
  session.close();
  await owner.stop();
});

test('removing an admin replaces the snapshot it wrote, so a device linked later still catches up', async () => {
  const vault = await createTestVault();
  const [owner, admin] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 1 });
  if (!owner || !admin) throw new Error('clients missing');
  admin.client.doc.getMap('entries').set('by-admin', 'kept');
  await waitForDoc(owner.client.doc, () => owner.client.doc.getMap('entries').has('by-admin'));
  await waitSynced(admin.client.engine);
  const snap = await sealSnapshot({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    seq: admin.client.engine.head(),
    content: { state: Y.encodeStateAsUpdate(admin.client.doc), counters: {} },
    signer: admin.client.device,
    random: nodeRandom,
  });
  const { session } = await openRawSession(relayOf().url, admin.client.device);
  await session.request({ t: 'snapshot', snap: encodeSnapshot(snap) });
  session.close();
  valueOf(await owner.client.engine.removeDevice(admin.client.device.publicKey));
  await admin.stop();

  const late = await startLinkedWriter(relayOf().url, owner.client, vault);
  await waitSynced(late.engine);
  expect(late.doc.getMap('entries').get('by-admin')).toBe('kept');
  await late.engine.stop();
  await owner.stop();
});

test('a device away at its removal is sent the records up to its removal, and nothing after it', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const gone = await startLinkedWriter(relayOf().url, owner.client, vault);
  const known = gone.engine.memberEvents().length;
  await gone.engine.stop();
  valueOf(await owner.client.engine.removeDevice(gone.device.publicKey));
  const removalIndex = owner.client.engine.memberEvents().length - 1;
  // Someone joins after the removal: the removed device must not learn of it.
  const later = await startLinkedWriter(relayOf().url, owner.client, vault);
  await later.engine.stop();
  const { session, frames } = await openRawSession(relayOf().url, gone.device);
  await expect(
    session.request({ t: 'subscribe', vault: vault.vaultId, from: 0, members: known }),
  ).rejects.toMatchObject({
    code: errorCodes.notAMember,
  });
  session.close();
  const records = frames.flatMap((f) => (f.t === 'member' ? [f.record] : []));
  expect(records.map((r) => r.index)).toEqual(Array.from({ length: removalIndex - known + 1 }, (_, i) => known + i));
  expect(records.at(-1)).toMatchObject({ action: 'remove', subject: encodeBase64(gone.device.publicKey) });
  expect(records.some((r) => r.subject === encodeBase64(later.device.publicKey))).toBe(false);
  // A device that never was a member learns nothing at all.
  const stranger = await openRawSession(relayOf().url, createTestDevice());
  await expect(stranger.session.request({ t: 'subscribe', vault: vault.vaultId, from: 0 })).rejects.toMatchObject({
    code: errorCodes.notAMember,
  });
  stranger.session.close();
  expect(stranger.frames.filter((f) => f.t === 'member')).toEqual([]);
  await owner.stop();
});
