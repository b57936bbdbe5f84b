// What a member, a removed device or a relay would try against key rotation (issue #14), against a real
// relay: rotating without being an admin, granting the new key to the removed device, writing under the
// old key after the rotation, removing someone else without being an admin, and a relay serving an
// old-epoch envelope at a position after the rotation.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { commitEpochKey } from '../../../shared/sync/epochs';
import { sealKeyGrant } from '../../../shared/sync/grants';
import { signMemberRecord, verifyMemberLog, type MemberState } from '../../../shared/sync/members';
import { encodeSnapshot, sealSnapshot } from '../../../shared/sync/snapshot';
import { valueOf } from '../../../shared/test-result';
import {
  createTestVault,
  identityOf,
  linkDevice,
  rotationCountersFor,
  startLinkedClients,
  startWatchedPeer,
  verifiedLog,
} from './clients';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  nodeVerify,
  openRawSession,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type TestDevice,
} from './harness';
import { useRelay } from './use-relay';

const relayOf = useRelay();
const verifiedLogOf = (device: TestDevice, vault: string) => verifiedLog(relayOf().url, device, vault);

async function setUp() {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const writer = createTestDevice();
  const reader = createTestDevice();
  await linkDevice(relayOf().url, owner.client, writer, 'writer');
  await linkDevice(relayOf().url, owner.client, reader, 'reader');
  return { vault, owner, writer, reader };
}

test('only an admin rotates, grants go to remaining members only, and only this device signs the records', async () => {
  const { vault, owner, writer, reader } = await setUp();
  const { session, state } = await verifiedLogOf(writer, vault.vaultId);
  const key = nodeRandom(32);
  const rotateBy = async (signer: TestDevice, base: MemberState) =>
    signMemberRecord(
      base,
      {
        action: 'rotate',
        subject: commitEpochKey(vault.vaultId, 1, key),
        role: 'admin',
        counters: await rotationCountersFor(relayOf().url, vault.owner, base),
      },
      signer,
    );
  // A writer rotating (its own signature): not an admin.
  await expect(
    session.request({ t: 'rotate', records: [await rotateBy(writer, state)], grants: [] }),
  ).rejects.toMatchObject({ code: errorCodes.notAnAdmin });
  session.close();

  const admin = await verifiedLogOf(vault.owner, vault.vaultId);
  const remove = await signMemberRecord(
    admin.state,
    { action: 'remove', subject: reader.publicKey, role: 'reader' },
    vault.owner,
  );
  const afterRemove = (await verifyMemberLog(vault.vaultId, [...admin.records, remove], nodeVerify)) as MemberState;
  const rotate = await rotateBy(vault.owner, afterRemove);
  const grantTo = (device: TestDevice) =>
    sealKeyGrant({
      vault: vault.vaultId,
      vaultKey: { epoch: 1, key },
      recipient: identityOf(device),
      signer: vault.owner,
      random: nodeRandom,
    });
  // The new key sealed to the device being removed: refused, nothing stored.
  await expect(
    admin.session.request({
      t: 'rotate',
      records: [remove, rotate],
      grants: [await grantTo(writer), await grantTo(reader)],
    }),
  ).rejects.toMatchObject({ code: errorCodes.badGrant });
  // A rotate record through `authorize` (no grants): refused.
  await expect(
    admin.session.request({ t: 'authorize', record: await rotateBy(vault.owner, admin.state) }),
  ).rejects.toMatchObject({
    code: errorCodes.badRecord,
  });
  // Removals without the rotate record that must end them: refused.
  await expect(admin.session.request({ t: 'rotate', records: [remove], grants: [] })).rejects.toMatchObject({
    code: errorCodes.badRecord,
  });
  // The step done right goes through once.
  await admin.session.request({ t: 'rotate', records: [remove, rotate], grants: [await grantTo(writer)] });
  admin.session.close();
  await owner.stop();
});

test('after a rotation the relay refuses envelopes and snapshots under the old key (2012); the engine seals again', async () => {
  const { vault, owner, writer, reader } = await setUp();
  const stale = await verifiedLogOf(writer, vault.vaultId);
  valueOf(await owner.client.engine.rotateKey({ remove: [reader.publicKey], recipients: [identityOf(writer)] }));
  // A member that has not seen the rotation yet writes under epoch 0 at its old position.
  const env = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 1,
    members: stale.state.length,
    update: Y.encodeStateAsUpdate(new Y.Doc()),
    signer: writer,
    random: nodeRandom,
  });
  await expect(stale.session.request({ t: 'publish', env: encodeEnvelope(env) })).rejects.toMatchObject({
    code: errorCodes.staleEpoch,
  });
  stale.session.close();
  const snap = await sealSnapshot({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    seq: owner.client.engine.head(),
    content: { state: Y.encodeStateAsUpdate(owner.client.doc), counters: {} },
    signer: vault.owner,
    random: nodeRandom,
  });
  const { session } = await openRawSession(relayOf().url, vault.owner);
  await expect(session.request({ t: 'snapshot', snap: encodeSnapshot(snap) })).rejects.toMatchObject({
    code: errorCodes.staleEpoch,
  });
  session.close();
  await owner.stop();
});

test('a member may remove only itself (leave); the admin then rotates what the leaver held', async () => {
  const { vault, owner, writer, reader } = await setUp();
  const { session, state } = await verifiedLogOf(writer, vault.vaultId);
  const removeReader = await signMemberRecord(
    state,
    { action: 'remove', subject: reader.publicKey, role: 'reader' },
    writer,
  );
  await expect(session.request({ t: 'authorize', record: removeReader })).rejects.toMatchObject({
    code: errorCodes.notAnAdmin,
  });
  session.close();

  const members = (await verifiedLogOf(writer, vault.vaultId)).records;
  const leaver = createTestClient({
    relayUrl: relayOf().url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device: writer,
    members,
  });
  await leaver.engine.start();
  await waitSynced(leaver.engine);
  valueOf(await leaver.engine.leave());
  await new Promise<void>((resolve) => {
    const check = () => owner.client.engine.pendingRotation().length === 1 && resolve();
    owner.client.engine.onMembers(check);
    check();
  });
  expect(owner.client.engine.pendingRotation()).toEqual([encodeBase64(writer.publicKey)]);
  expect(valueOf(await owner.client.engine.rotateKey({ remove: [], recipients: [] }))).toMatchObject({ epoch: 1 });
  expect(owner.client.engine.pendingRotation()).toEqual([]);
  // The leaver's relay access is gone.
  const after = await openRawSession(relayOf().url, writer);
  await expect(after.session.request({ t: 'subscribe', vault: vault.vaultId, from: 0 })).rejects.toMatchObject({
    code: errorCodes.notAMember,
  });
  after.session.close();
  await leaver.engine.stop();
  await owner.stop();
});

test('a relay serving an old-key envelope at a position after the rotation is caught by the peer (4003)', async () => {
  const vault = await createTestVault();
  const { mitm, owner, peer } = await startWatchedPeer(relayOf().url, vault);
  const gone = createTestDevice();
  await linkDevice(relayOf().url, owner.client, gone, 'writer');
  valueOf(
    await owner.client.engine.rotateKey({
      remove: [gone.publicKey],
      recipients: [identityOf(peer.client.device)],
    }),
  );
  owner.client.doc.getMap('entries').set('after', 'new key');
  await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').has('after'));
  // The owner (still a member, still holding the old key) as the relay's accomplice: epoch 0 at the new position.
  const forged = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 1_000,
    members: owner.client.engine.memberEvents().length,
    update: Y.encodeStateAsUpdate(new Y.Doc()),
    signer: vault.owner,
    random: nodeRandom,
  });
  const frame = (seq: number) => JSON.stringify({ t: 'env', seq, env: encodeEnvelope(forged) });
  mitm.state.rewrite = (f) => (f.t === 'subscribed' ? [JSON.stringify(f), frame(Number(f.head) + 1)] : undefined);
  await peer.restart();
  const status = await waitForStatus(peer.client.engine, (s) => typeof s === 'object' && 'error' in s);
  expect(status).toMatchObject({ error: { code: errorCodes.forgedEnvelope } });
  await owner.stop();
  await peer.stop();
});
