// Old epochs after a rotation, and leaving (docs/protocol.md §7c), against a real relay: the `rotate`
// record fixes every writer's counter (the relay checks each one, 2006 otherwise), so an envelope sealed
// with the pre-rotation key, naming a pre-rotation position but written later, is refused by every peer
// and by the relay; a self-removal names exactly the counter the relay stored (2006 otherwise).
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { commitEpochKey } from '../../../shared/sync/epochs';
import { signMemberRecord } from '../../../shared/sync/members';
import { valueOf } from '../../../shared/test-result';
import {
  createTestVault,
  identityOf,
  linkDevice,
  rotationCountersFor,
  startLinkedClients,
  startLinkedWriter,
  startWatchedPeer,
  verifiedLog,
} from './clients';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  openRawSession,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type TestDevice,
} from './harness';
import { useRelay } from './use-relay';

const relayOf = useRelay();
const verifiedLogOf = (device: TestDevice, vault: string) => verifiedLog(relayOf().url, device, vault);

function entryUpdate(key: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('entries').set(key, 'old key, written after the rotation');
  return Y.encodeStateAsUpdate(doc);
}

test('an old-key envelope at a pre-rotation position with a counter above the rotation’s is refused by every peer and the relay', async () => {
  const vault = await createTestVault();
  const { mitm, owner, peer } = await startWatchedPeer(relayOf().url, vault);
  const writer = await startLinkedWriter(relayOf().url, owner.client, vault);
  writer.doc.getMap('entries').set('before', 'old key, before the rotation');
  await waitSynced(writer.engine);
  await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').has('before'));
  const gone = createTestDevice();
  await linkDevice(relayOf().url, owner.client, gone, 'writer');
  const positionBefore = owner.client.engine.memberEvents().length;
  valueOf(
    await owner.client.engine.rotateKey({
      remove: [gone.publicKey],
      recipients: [identityOf(peer.client.device), identityOf(writer.device)],
    }),
  );
  await waitSynced(writer.engine);
  // The writer as a relay kept it on the old log would write: the old key, the old position, a later counter.
  const late = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 1_000,
    members: positionBefore,
    update: entryUpdate('late'),
    signer: writer.device,
    random: nodeRandom,
  });
  const { session } = await openRawSession(relayOf().url, writer.device);
  await expect(session.request({ t: 'publish', env: encodeEnvelope(late) })).rejects.toMatchObject({
    code: errorCodes.staleEpoch,
  });
  session.close();
  // Served to the peer by a relay that lies: the peer refuses it, and nothing of it applies.
  mitm.state.rewrite = (f) =>
    f.t === 'subscribed'
      ? [JSON.stringify(f), JSON.stringify({ t: 'env', seq: Number(f.head) + 1, env: encodeEnvelope(late) })]
      : undefined;
  await peer.restart();
  const status = await waitForStatus(peer.client.engine, (s) => typeof s === 'object' && 'error' in s);
  expect(status).toMatchObject({ error: { code: errorCodes.forgedEnvelope } });
  expect(peer.client.doc.getMap('entries').has('late')).toBe(false);
  // The relay honest again: the writer's edit under the new key reaches the peer.
  mitm.state.rewrite = null;
  writer.doc.getMap('entries').set('after', 'new key');
  await waitSynced(writer.engine);
  await peer.restart();
  await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').has('after'));
  expect(peer.client.doc.getMap('entries').has('late')).toBe(false);
  await writer.engine.stop();
  await owner.stop();
  await peer.stop();
});

test('a rotate record whose counters differ from the relay’s is refused (2006); the engine’s own rotation names them exactly', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const writer = await startLinkedWriter(relayOf().url, owner.client, vault);
  writer.doc.getMap('entries').set('one', '1');
  writer.doc.getMap('entries').set('two', '2');
  await waitSynced(writer.engine);
  const admin = await verifiedLogOf(vault.owner, vault.vaultId);
  const honest = await rotationCountersFor(relayOf().url, vault.owner, admin.state);
  const writerKey = encodeBase64(writer.device.publicKey);
  expect(honest.find((c) => c.device === writerKey)?.counter).toBeGreaterThan(0);
  const key = nodeRandom(32);
  const rotateWith = (counters: typeof honest) =>
    signMemberRecord(
      admin.state,
      { action: 'rotate', subject: commitEpochKey(vault.vaultId, 1, key), role: 'admin', counters },
      vault.owner,
    );
  for (const counter of [0, Number.MAX_SAFE_INTEGER]) {
    const lying = honest.map((c) => (c.device === writerKey ? { ...c, counter } : c));
    await expect(
      admin.session.request({ t: 'rotate', records: [await rotateWith(lying)], grants: [] }),
    ).rejects.toMatchObject({ code: errorCodes.badRecord, message: expect.stringMatching(/catch up/) });
  }
  admin.session.close();
  // The engine's rotation passes: it names the counters the relay stored.
  expect(valueOf(await owner.client.engine.rotateKey({ remove: [], recipients: [] }))).toMatchObject({ epoch: 0 });
  const gone = createTestDevice();
  await linkDevice(relayOf().url, owner.client, gone, 'writer');
  valueOf(await owner.client.engine.rotateKey({ remove: [gone.publicKey], recipients: [identityOf(writer.device)] }));
  await writer.engine.stop();
  await owner.stop();
});

test('a self-removal must name the counter the relay stored: last = 2^53−1 (or one below) is refused (2006)', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const writer = await startLinkedWriter(relayOf().url, owner.client, vault);
  writer.doc.getMap('entries').set('mine', 'written before leaving');
  await waitSynced(writer.engine);
  await writer.engine.stop();
  const { session, state } = await verifiedLogOf(writer.device, vault.vaultId);
  const leaveWith = (last: number) =>
    signMemberRecord(
      state,
      { action: 'remove', subject: writer.device.publicKey, role: 'reader', last },
      writer.device,
    );
  const [stored] = (await rotationCountersFor(relayOf().url, vault.owner, state))
    .filter((c) => c.device === encodeBase64(writer.device.publicKey))
    .map((c) => c.counter);
  if (!stored) throw new Error('the writer stored nothing');
  for (const last of [Number.MAX_SAFE_INTEGER, stored + 1, stored - 1]) {
    await expect(session.request({ t: 'authorize', record: await leaveWith(last) })).rejects.toMatchObject({
      code: errorCodes.badRecord,
    });
  }
  await session.request({ t: 'authorize', record: await leaveWith(stored) });
  session.close();
  await owner.stop();
});

test('leaving flushes what is queued first: the record names the relay’s counter and the relay takes it', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const device = createTestDevice();
  const members = await linkDevice(relayOf().url, owner.client, device, 'writer');
  const leaver = createTestClient({
    relayUrl: relayOf().url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device,
    members,
  });
  await leaver.engine.start();
  await waitSynced(leaver.engine);
  // Edits still being sealed and sent when the user leaves.
  for (let i = 0; i < 5; i += 1) leaver.doc.getMap('entries').set(`last-${i}`, String(i));
  valueOf(await leaver.engine.leave());
  await waitForDoc(owner.client.doc, () => owner.client.doc.getMap('entries').has('last-4'));
  await new Promise<void>((resolve) => {
    const check = () => owner.client.engine.pendingRotation().length === 1 && resolve();
    owner.client.engine.onMembers(check);
    check();
  });
  await leaver.engine.stop();
  await owner.stop();
});
