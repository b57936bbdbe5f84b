// Protocol v3 upgrade (issue #13): an envelope of protocol v2 names no member-log position and is not
// judged by peers, so it must stay what it was under v2 — an admin's (every device was one) — and never
// become a way around the judge for a writer.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as Y from 'yjs';
import { openRelayDatabase } from '../../../relay/sqlite-store';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { encodeEnvelopeHeader } from '../../../shared/sync/canonical';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, type Envelope } from '../../../shared/sync/envelope';
import { sealBehindHeader } from '../../../shared/sync/sealed-fields';
import { createTestVault, linkDevice, type TestVault } from './clients';
import { createTestClient, createTestDevice, nodeRandom, waitForDoc, waitSynced, type TestDevice } from './harness';
import { openRawSocket, requestRaw } from './raw-socket';
import { useRelay } from './use-relay';

const relayOf = useRelay();

/** Seals an update the way protocol v2 did: v1 domain, no position. */
async function sealAsV2(vault: TestVault, device: TestDevice, counter: number, update: Uint8Array) {
  const fields = { vault: vault.vaultId, epoch: vault.vaultKey.epoch, author: device.publicKey, counter };
  const header = encodeEnvelopeHeader({ ...fields, position: counter });
  const sealed = await sealBehindHeader(header, update, vault.vaultKey, device, nodeRandom);
  const env: Envelope = { ...fields, ...sealed };
  return encodeEnvelope(env);
}

function entryUpdate(key: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('entries').set(key, 'queued under v2');
  return Y.encodeStateAsUpdate(doc);
}

test("a v2 envelope still queued on an admin's device is stored and applied; a writer's is refused", async () => {
  const vault = await createTestVault();
  const admin = createTestClient({
    relayUrl: relayOf().url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device: vault.owner,
    members: [vault.genesis],
  });
  await admin.engine.start();
  await waitSynced(admin.engine);
  const writer = createTestDevice();
  const reader = createTestDevice();
  const readerLog = await linkDevice(relayOf().url, admin, reader, 'reader');
  await linkDevice(relayOf().url, admin, writer, 'writer');

  const asAdmin = await openRawSocket(relayOf().url);
  await asAdmin.authenticate(vault.owner);
  const legacy = await sealAsV2(vault, vault.owner, 100, entryUpdate('from-v2'));
  expect(legacy.members).toBeUndefined();
  expect(await requestRaw(asAdmin, { t: 'publish', id: 1, env: legacy })).toMatchObject({ t: 'ack', dup: false });

  const asWriter = await openRawSocket(relayOf().url);
  await asWriter.authenticate(writer);
  const bypass = await sealAsV2(vault, writer, 1, entryUpdate('writer-bypass'));
  expect(await requestRaw(asWriter, { t: 'publish', id: 2, env: bypass })).toMatchObject({
    t: 'error',
    code: errorCodes.malformedFrame,
  });
  asAdmin.ws.close();
  asWriter.ws.close();

  // A v3 device catching up applies the admin's v2 envelope (not judged, as v2 did).
  const peer = createTestClient({
    relayUrl: relayOf().url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device: reader,
    members: readerLog,
  });
  await peer.engine.start();
  await waitForDoc(peer.doc, () => peer.doc.getMap('entries').has('from-v2'));
  await waitSynced(peer.engine);
  expect(peer.doc.getMap('entries').has('writer-bypass')).toBe(false);
  expect(encodeBase64(vault.owner.publicKey)).toBe(legacy.author);
});

test('a relay database of schema 1 gains the position column on start; its envelopes read back without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-schema1-'));
  const file = join(dir, 'relay.sqlite3');
  const old = new Database(file);
  old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('schema', '1');
    CREATE TABLE vaults (vault TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE envelopes (vault TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL,
      counter INTEGER NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL,
      PRIMARY KEY (vault, seq)) WITHOUT ROWID;
    INSERT INTO vaults VALUES ('vault-schema-one-0000', 1);
    INSERT INTO envelopes VALUES ('vault-schema-one-0000', 1, 0, x'01', 7, x'02', x'03', x'04');`);
  old.close();
  const store = openRelayDatabase(file, 'full', dir);
  try {
    expect(
      [...store.envelopesAfter('vault-schema-one-0000', 0)].map((row) => [row.seq, row.counter, row.members]),
    ).toEqual([[1, 7, null]]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
