// Removing a member moves the vault to a new key epoch (issue #14): tested against real relay processes
// with the removed device's real keys and the relay's whole database, an offline member's queued edits,
// two admins removing at once (seeded orders) and a removal cut off by a relay crash.
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { decodeBase64, encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { openEnvelope } from '../../../shared/sync/envelope';
import { openSnapshot, type Snapshot } from '../../../shared/sync/snapshot';
import { createMemorySyncStorage } from '../../../shared/sync/storage';
import { valueOf } from '../../../shared/test-result';
import { createPrng } from '../../support/prng';
import { createTestVault, linkDevice, startLinkedClients, waitConverged, type RestartableClient } from './clients';
import {
  createTestClient,
  createTestDevice,
  openRawSession,
  waitForDoc,
  waitSynced,
  type TestClient,
  type TestDevice,
} from './harness';
import { asEnvelope, dumpRelay } from './relay-dump';
import { useRelay } from './use-relay';

const relayOf = useRelay();

const identityOf = (device: TestDevice) => ({ signing: device.publicKey, box: device.boxKeys.publicKey });
const entries = (doc: Y.Doc) => doc.getMap<string>('entries');

/** Resolves once the client's verified member log is at `epoch`. */
function waitEpoch(client: TestClient, epoch: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => client.engine.epoch() === epoch && resolve();
    client.engine.onMembers(check);
    check();
  });
}

/** A device linked with `role` and started, on the test vault. */
async function startMember(
  admin: TestClient,
  vault: Awaited<ReturnType<typeof createTestVault>>,
  role: 'writer' | 'reader' | 'admin',
) {
  const device = createTestDevice();
  const members = await linkDevice(relayOf().url, admin, device, role);
  const client = createTestClient({
    relayUrl: relayOf().url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device,
    members,
  });
  await client.engine.start();
  await waitSynced(client.engine);
  return client;
}

test('a removed device, with its real keys and the relay database, opens nothing written after its removal', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const editor = await startMember(owner.client, vault, 'writer');
  const viewer = await startMember(owner.client, vault, 'reader');
  entries(owner.client.doc).set('before', 'seen by the viewer');
  await waitForDoc(viewer.doc, () => entries(viewer.doc).has('before'));

  const report = valueOf(
    await owner.client.engine.rotateKey({ remove: [viewer.device.publicKey], recipients: [identityOf(editor.device)] }),
  );
  expect(report).toEqual({ epoch: 1, unreached: [] });
  entries(owner.client.doc).set('after-owner', 'SECRET-AFTER-REMOVAL-1');
  entries(editor.doc).set('after-editor', 'SECRET-AFTER-REMOVAL-2');
  await waitConverged([owner.client.doc, editor.doc]);
  await waitForDoc(owner.client.doc, () => entries(owner.client.doc).has('after-editor'));
  expect(editor.engine.epoch()).toBe(1);
  // The viewer stopped receiving: nothing after its removal reached it.
  expect(entries(viewer.doc).has('after-owner')).toBe(false);

  // The relay refuses it, and lists no grant of the new epoch to it.
  const { session } = await openRawSession(relayOf().url, viewer.device);
  await expect(session.request({ t: 'subscribe', vault: vault.vaultId, from: 0 })).rejects.toMatchObject({
    code: errorCodes.notAMember,
  });
  const grants = await session.request({ t: 'grants' });
  expect(grants.t === 'grant-list' && grants.items.filter((item) => item.grant.vault === vault.vaultId)).toEqual([]);
  session.close();
  for (const c of [editor, viewer]) await c.engine.stop();
  await owner.stop();

  // Its keys: the one it was granted (epoch 0). Try them on everything the relay stores.
  await relayOf().kill();
  const dump = await dumpRelay(relayOf(), vault.vaultId);
  await relayOf().restart();
  const removedKeys = [vault.vaultKey];
  const newer = dump.envelopes.filter((row) => row.epoch >= 1);
  expect(newer.length).toBeGreaterThanOrEqual(2);
  const opened: Uint8Array[] = [];
  for (const row of dump.envelopes) {
    for (const key of removedKeys) {
      const update = openEnvelope(asEnvelope(vault.vaultId, row), key);
      if (update) opened.push(update);
    }
  }
  expect(dump.snapshot?.epoch).toBe(1);
  if (dump.snapshot) {
    const snap: Snapshot = { vault: vault.vaultId, ...dump.snapshot, author: dump.snapshot.author };
    for (const key of removedKeys) expect(openSnapshot(snap, key)).toBeNull();
  }
  const readable = new Y.Doc();
  for (const update of opened) Y.applyUpdate(readable, update);
  const text = JSON.stringify(entries(readable).toJSON());
  expect(text).not.toContain('SECRET-AFTER-REMOVAL');
  // The same dump opens with the remaining members' key: the test is not vacuous.
  const ownerKey = { epoch: 1, key: ownerKeyOf(owner) };
  expect(newer.every((row) => openEnvelope(asEnvelope(vault.vaultId, row), ownerKey) !== null)).toBe(true);
});

function ownerKeyOf(owner: RestartableClient): Uint8Array {
  const stored = (
    owner.client.storage as unknown as { peek: () => { cursor: { keys?: Record<string, string> } | null } }
  ).peek();
  const key = stored.cursor?.keys?.['1'];
  if (!key) throw new Error('the owner persisted no key of epoch 1');
  return decodeBase64(key);
}

test("an offline member's queued edits are sealed again under the new key and none is lost", async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const storage = createMemorySyncStorage();
  const device = createTestDevice();
  const members = await linkDevice(relayOf().url, owner.client, device, 'writer');
  const doc = new Y.Doc();
  const build = (url: string) =>
    createTestClient({
      relayUrl: url,
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      device,
      members,
      storage,
      doc,
    });
  let editor = build(relayOf().url);
  await editor.engine.start();
  await waitSynced(editor.engine);
  const gone = await startMember(owner.client, vault, 'reader');

  // The editor goes offline (its relay address unreachable) and keeps editing: envelopes under epoch 0.
  await editor.engine.stop();
  editor = build('ws://127.0.0.1:9');
  await editor.engine.start();
  for (let i = 0; i < 5; i++) entries(doc).set(`offline-${i}`, `edit ${i}`);
  await editor.engine.flush();
  expect(editor.engine.pendingCount()).toBeGreaterThan(0);
  expect(storage.peek().pending.every((env) => env.epoch === 0)).toBe(true);

  valueOf(await owner.client.engine.rotateKey({ remove: [gone.device.publicKey], recipients: [identityOf(device)] }));
  await editor.engine.stop();
  editor = build(relayOf().url);
  await editor.engine.start();
  await waitSynced(editor.engine);
  await waitForDoc(owner.client.doc, () => entries(owner.client.doc).has('offline-4'));
  for (let i = 0; i < 5; i++) expect(entries(owner.client.doc).get(`offline-${i}`)).toBe(`edit ${i}`);
  expect(editor.engine.epoch()).toBe(1);
  expect(storage.peek().pending).toEqual([]);
  await gone.engine.stop();
  await editor.engine.stop();
  await owner.stop();
});

test.each([1, 2, 3, 4])(
  'two admins removing different members at once converge to one epoch chain (seed %i)',
  async (seed) => {
    const prng = createPrng(seed);
    const vault = await createTestVault();
    const [a, b] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 1 });
    if (!a || !b) throw new Error('admins missing');
    await waitSynced(b.client.engine);
    const x = await startMember(a.client, vault, prng.pick(['writer', 'reader'] as const));
    const y = await startMember(a.client, vault, prng.pick(['writer', 'reader'] as const));
    await waitSynced(b.client.engine);
    const everyone = [a.client.device, b.client.device].map(identityOf);
    const delayed = async (ms: number, run: () => Promise<unknown>) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return run();
    };
    const [ra, rb] = await Promise.all([
      delayed(prng.int(20), () => a.client.engine.rotateKey({ remove: [x.device.publicKey], recipients: everyone })),
      delayed(prng.int(20), () => b.client.engine.rotateKey({ remove: [y.device.publicKey], recipients: everyone })),
    ]);
    expect(ra).toMatchObject({ ok: true });
    expect(rb).toMatchObject({ ok: true });
    await waitSynced(a.client.engine);
    await waitSynced(b.client.engine);
    entries(a.client.doc).set('after', `seed ${seed}`);
    entries(b.client.doc).set('after-b', `seed ${seed}`);
    await waitConverged([a.client.doc, b.client.doc]);
    await waitForDoc(a.client.doc, () => entries(a.client.doc).has('after-b'));
    for (const admin of [a, b]) {
      expect(admin.client.engine.epoch()).toBe(2);
      expect(
        admin.client.engine
          .members()
          .map((m) => m.publicKey)
          .sort(),
      ).toEqual([a.client.device, b.client.device].map((d) => encodeBase64(d.publicKey)).sort());
      expect(
        admin.client.engine
          .memberEvents()
          .filter((e) => e.action === 'rotate')
          .map((e) => e.epoch),
      ).toEqual([1, 2]);
    }
    for (const c of [x, y]) {
      expect(entries(c.doc).has('after')).toBe(false);
      await c.engine.stop();
    }
    await a.stop();
    await b.stop();
  },
);

test('a removal cut off by a relay crash is done once: retried after the restart it ends at one new epoch', async () => {
  const vault = await createTestVault();
  const [owner, peer] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 1 });
  if (!owner || !peer) throw new Error('clients missing');
  const gone = await startMember(owner.client, vault, 'writer');
  entries(owner.client.doc).set('before', '1');
  await waitForDoc(peer.client.doc, () => entries(peer.client.doc).has('before'));
  const recipients = [identityOf(peer.client.device)];
  const first = owner.client.engine.rotateKey({ remove: [gone.device.publicKey], recipients });
  await relayOf().kill('SIGKILL');
  const outcome = await first;
  await relayOf().restart();
  await waitSynced(owner.client.engine);
  const again = valueOf(await owner.client.engine.rotateKey({ remove: [gone.device.publicKey], recipients }));
  expect(again.epoch).toBe(1);
  expect(owner.client.engine.memberEvents().filter((e) => e.action === 'rotate')).toHaveLength(1);
  if (outcome.ok) expect(outcome.value.epoch).toBe(1);
  entries(owner.client.doc).set('after', '2');
  await waitForDoc(peer.client.doc, () => entries(peer.client.doc).has('after'));
  expect(peer.client.engine.epoch()).toBe(1);
  expect(entries(gone.doc).has('after')).toBe(false);
  await gone.engine.stop();
  await owner.stop();
  await peer.stop();
});

test('a device that saved the rotated log but not its key (a crash between the two) fetches it at the next start', async () => {
  const vault = await createTestVault();
  const [owner, peer] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 1 });
  if (!owner || !peer) throw new Error('clients missing');
  const gone = await startMember(owner.client, vault, 'reader');
  valueOf(
    await owner.client.engine.rotateKey({
      remove: [gone.device.publicKey],
      recipients: [identityOf(peer.client.device)],
    }),
  );
  await waitEpoch(peer.client, 1);
  await waitSynced(peer.client.engine);
  await peer.stop();
  const storage = peer.client.storage as ReturnType<typeof createMemorySyncStorage>;
  const saved = storage.peek();
  if (!saved.cursor) throw new Error('the peer saved no cursor');
  expect(saved.cursor.members.length).toBe(5);
  await storage.commit({ cursor: { ...saved.cursor, keys: {} } });
  await peer.restart();
  await waitSynced(peer.client.engine);
  entries(peer.client.doc).set('after-restart', 'sealed under epoch 1');
  await waitForDoc(owner.client.doc, () => entries(owner.client.doc).has('after-restart'));
  expect(storage.peek().cursor?.keys?.['1']).toBe(ownerKeyOf(owner) && encodeBase64(ownerKeyOf(owner)));
  await gone.engine.stop();
  await owner.stop();
  await peer.stop();
});
