// Snapshots carry a counter table and replace everything before them, so only an admin's are stored and
// accepted, and even an admin's cannot set this device's own counter, drop its queued edits, or claim
// counters beyond safe integers or for keys that never were writers (issue #11, item 3).
import nacl from 'tweetnacl';
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { concatBytes, encodeU32 } from '../../../shared/crypto/bytes';
import { encodeSealedMessage, encodeSnapshotHeader } from '../../../shared/sync/canonical';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeSnapshot, sealSnapshot, type Snapshot } from '../../../shared/sync/snapshot';
import { createMemorySyncStorage } from '../../../shared/sync/storage';
import { createTestVault, linkDevice, startLinkedClients, startLinkedWriter, type TestVault } from './clients';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  openRawSession,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type TestClient,
  type TestDevice,
} from './harness';
import { useRelay } from './use-relay';

const relayOf = useRelay();

/** The owner, synced, with one entry. */
async function ownerWithEntry(vault: TestVault): Promise<TestClient> {
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  owner.client.doc.getMap('entries').set('a', 'from the owner');
  await waitSynced(owner.client.engine);
  return owner.client;
}

/** Seals a snapshot of `doc` at `seq` with a raw counter table (u64 pairs, not limited to safe integers). */
async function sealRawSnapshot(
  vault: TestVault,
  signer: TestDevice,
  seq: number,
  doc: Y.Doc,
  counters: readonly (readonly [Uint8Array, number, number])[],
): Promise<Snapshot> {
  const fields = { vault: vault.vaultId, epoch: vault.vaultKey.epoch, author: signer.publicKey, seq };
  const header = encodeSnapshotHeader({ ...fields, position: seq });
  const table = counters.map(([author, high, low]) => concatBytes([author, encodeU32(high), encodeU32(low)]));
  const plain = concatBytes([header, encodeU32(counters.length), ...table, Y.encodeStateAsUpdate(doc)]);
  const nonce = nodeRandom(24);
  const ciphertext = nacl.secretbox(plain, nonce, vault.vaultKey.key);
  const sig = await signer.sign(encodeSealedMessage(header, nonce, ciphertext));
  return { ...fields, nonce, ciphertext, sig };
}

async function storeSnapshot(signer: TestDevice, snap: Snapshot): Promise<void> {
  const { session } = await openRawSession(relayOf().url, signer);
  try {
    await session.request({ t: 'snapshot', snap: encodeSnapshot(snap) });
  } finally {
    session.close();
  }
}

test("the relay stores only an admin's snapshot", async () => {
  const vault = await createTestVault();
  const owner = await ownerWithEntry(vault);
  const writer = createTestDevice();
  await linkDevice(relayOf().url, owner, writer, 'writer');
  const snap = await sealSnapshot({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    seq: owner.engine.head(),
    content: { state: Y.encodeStateAsUpdate(new Y.Doc()), counters: {} },
    signer: writer,
    random: nodeRandom,
  });
  await expect(storeSnapshot(writer, snap)).rejects.toMatchObject({ code: errorCodes.notAnAdmin });
  await owner.engine.stop();
});

test("an admin's snapshot neither sets this device's counter nor drops its queued edits", async () => {
  const vault = await createTestVault();
  const owner = await ownerWithEntry(vault);
  const device = createTestDevice();
  const members = await linkDevice(relayOf().url, owner, device, 'writer');
  // The new device edits before it ever reaches the relay: the edit waits in its queue.
  const storage = createMemorySyncStorage();
  const doc = new Y.Doc();
  const base = { vaultId: vault.vaultId, vaultKey: vault.vaultKey, device, members, storage, doc };
  const offline = createTestClient({ ...base, relayUrl: 'ws://127.0.0.1:9' });
  await offline.engine.start();
  doc.getMap('entries').set('offline', 'queued');
  await offline.engine.flush();
  await offline.engine.stop();
  expect(storage.peek().pending).toHaveLength(1);

  // An admin's snapshot claims the new device already used counter 2^40.
  const snap = await sealRawSnapshot(vault, vault.owner, owner.engine.head(), owner.doc, [[device.publicKey, 256, 0]]);
  await storeSnapshot(vault.owner, snap);

  const online = createTestClient({ ...base, relayUrl: relayOf().url });
  await online.engine.start();
  await waitForDoc(owner.doc, () => owner.doc.getMap('entries').get('offline') === 'queued');
  await waitSynced(online.engine);
  expect(doc.getMap('entries').get('a')).toBe('from the owner');
  expect(storage.peek().cursor?.counter).toBe(1);
  for (const c of [owner, online]) await c.engine.stop();
});

test('a snapshot with a counter beyond safe integers or for a key that never wrote is refused', async () => {
  const stranger = createTestDevice().publicKey;
  const tables = (owner: Uint8Array) => [[[owner, 0x10000000, 0]] as const, [[stranger, 0, 5]] as const];
  for (const pick of [0, 1]) {
    const vault = await createTestVault();
    const owner = await ownerWithEntry(vault);
    const table = tables(vault.owner.publicKey)[pick] ?? [];
    await storeSnapshot(vault.owner, await sealRawSnapshot(vault, vault.owner, owner.engine.head(), owner.doc, table));
    const fresh = await startLinkedWriter(relayOf().url, owner, vault);
    const status = await waitForStatus(fresh.engine, (s) => typeof s === 'object' && 'error' in s);
    expect(status).toMatchObject({ error: { code: errorCodes.forgedEnvelope } });
    expect(fresh.doc.getMap('entries').has('a')).toBe(false);
    for (const c of [owner, fresh]) await c.engine.stop();
  }
});
