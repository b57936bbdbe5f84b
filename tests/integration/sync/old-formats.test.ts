// Protocol v5 keeps no older format (docs/protocol.md §3): an envelope shaped as protocol v2 wrote it (no
// member-log position, the v1 domain) or signed as v4 did (the v3 domain) is refused by the relay and by
// every peer; a v5 relay and an older client, or a v5 client and an older relay, refuse each other with
// one clear error; a relay database from before v5 that holds vaults is not served.
import Database from 'better-sqlite3';
import nacl from 'tweetnacl';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { openRelayDatabase } from '../../../relay/sqlite-store';
import {
  concatBytes,
  encodeBase64,
  encodeU32,
  encodeU64,
  encodeUtf8,
  lengthPrefixed,
} from '../../../shared/crypto/bytes';
import { encodeSealedMessage } from '../../../shared/sync/canonical';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { openRelayConnection } from '../../../shared/sync/relay-connection';
import { systemClock } from '../../../shared/sync/ports';
import { protocolVersion } from '../../../shared/sync/wire-records';
import { type TestVault, createTestVault, startLinkedClients, startWatchedPeer } from './clients';
import { connectNodeSocket, createTestDevice, nodeRandom, waitForDoc, waitForStatus, type TestDevice } from './harness';
import { openRawSocket, requestRaw } from './raw-socket';
import { useRelay } from './use-relay';

const relayOf = useRelay();

function entryUpdate(key: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('entries').set(key, 'old format');
  return Y.encodeStateAsUpdate(doc);
}

/** Seals and signs an envelope by hand under an older domain; `members` only when that protocol had it. */
function sealOld(vault: TestVault, device: TestDevice, counter: number, domain: string, members?: number) {
  const header = concatBytes([
    encodeUtf8(domain),
    Uint8Array.of(0),
    lengthPrefixed(encodeUtf8(vault.vaultId)),
    encodeU32(vault.vaultKey.epoch),
    device.publicKey,
    encodeU64(counter),
    ...(members === undefined ? [] : [encodeU32(members)]),
  ]);
  const nonce = nodeRandom(24);
  const ciphertext = nacl.secretbox(concatBytes([header, entryUpdate('old')]), nonce, vault.vaultKey.key);
  return { header, nonce, ciphertext, counter };
}

async function signed(device: TestDevice, vault: TestVault, sealed: ReturnType<typeof sealOld>) {
  const sig = await device.sign(encodeSealedMessage(sealed.header, sealed.nonce, sealed.ciphertext));
  return {
    vault: vault.vaultId,
    epoch: vault.vaultKey.epoch,
    author: encodeBase64(device.publicKey),
    counter: sealed.counter,
    nonce: encodeBase64(sealed.nonce),
    ciphertext: encodeBase64(sealed.ciphertext),
    sig: encodeBase64(sig),
  };
}

test("an admin's envelope shaped as protocol v2 (no position) is refused by the relay (1001); one signed as v4 does not verify (3001)", async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const socket = await openRawSocket(relayOf().url);
  await socket.authenticate(vault.owner);
  const v2 = await signed(vault.owner, vault, sealOld(vault, vault.owner, 100, 'regvault/v1/envelope'));
  expect(await requestRaw(socket, { t: 'publish', id: 1, env: v2 })).toMatchObject({
    t: 'error',
    code: errorCodes.malformedFrame,
  });
  const v4 = await signed(vault.owner, vault, sealOld(vault, vault.owner, 101, 'regvault/v3/envelope', 1));
  expect(await requestRaw(socket, { t: 'publish', id: 2, env: { ...v4, members: 1 } })).toMatchObject({
    t: 'error',
    code: errorCodes.badSignature,
  });
  socket.ws.close();
  await owner.stop();
});

test('a peer refuses a v2-shaped envelope a relay serves it, and a v4-signed one; neither applies, honest edits still do', async () => {
  const vault = await createTestVault();
  const { mitm, owner, peer } = await startWatchedPeer(relayOf().url, vault);
  const v2 = await signed(vault.owner, vault, sealOld(vault, vault.owner, 100, 'regvault/v1/envelope'));
  let served: object = v2;
  let deliveries = 0;
  let delivered = () => {};
  mitm.state.rewrite = (f) => {
    if (f.t !== 'subscribed') return undefined;
    deliveries += 1;
    queueMicrotask(delivered);
    return [JSON.stringify(f), JSON.stringify({ t: 'env', seq: Number(f.head) + 1, env: served })];
  };
  const deliveredTwice = () =>
    new Promise<void>((resolve) => {
      const from = deliveries;
      delivered = () => deliveries >= from + 2 && resolve();
    });
  // Not a v5 frame: the connection is dropped and opened again (the frame came back: refused again).
  const twice = deliveredTwice();
  await peer.restart();
  await twice;
  const head = peer.client.engine.head();
  expect(peer.client.doc.getMap('entries').has('old')).toBe(false);

  // Position named, but signed under the v4 domain: a forged envelope, syncing stops on it.
  const v4 = await signed(vault.owner, vault, sealOld(vault, vault.owner, 101, 'regvault/v3/envelope', 1));
  served = { ...v4, members: 1 };
  await peer.restart();
  expect(await waitForStatus(peer.client.engine, (s) => typeof s === 'object' && 'error' in s)).toMatchObject({
    error: { code: errorCodes.forgedEnvelope },
  });
  expect(peer.client.doc.getMap('entries').has('old')).toBe(false);
  expect(peer.client.engine.head()).toBe(head);

  // The relay honest again: the owner's edit reaches the peer.
  mitm.state.rewrite = null;
  owner.client.doc.getMap('entries').set('honest', 'v5');
  await peer.restart();
  await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').has('honest'));
  expect(peer.client.doc.getMap('entries').has('old')).toBe(false);
  await owner.stop();
  await peer.stop();
});

test('a v5 relay refuses a client speaking protocol v4 with "update Regvault" (1003)', async () => {
  expect(protocolVersion).toBe(5);
  const device = createTestDevice();
  const socket = await openRawSocket(relayOf().url);
  const sig = encodeBase64(await device.sign(new Uint8Array(32)));
  socket.sendJson({ t: 'auth', id: 0, v: 4, device: encodeBase64(device.publicKey), relay: relayOf().publicUrl, sig });
  const answer = await socket.next((f) => f.t === 'error');
  expect(answer).toMatchObject({ code: errorCodes.unsupportedVersion });
  expect(String(answer.message)).toMatch(/update Regvault/);
  expect((await socket.closed).code).toBe(1008);
});

test('a v5 client refuses a relay whose hello says protocol v4 with "update Regvault" (1003)', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const heard: string[] = [];
  server.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => heard.push(data.toString('utf8')));
    ws.send(JSON.stringify({ t: 'hello', v: 4, challenge: encodeBase64(nodeRandom(32)), maxFrameBytes: 1 << 20 }));
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  try {
    const opening = openRelayConnection({
      url: `ws://127.0.0.1:${address.port}/`,
      connect: connectNodeSocket,
      signer: createTestDevice(),
      clock: systemClock,
      timeoutMs: 10_000,
    });
    await expect(opening).rejects.toMatchObject({ code: errorCodes.unsupportedVersion });
    await expect(opening).rejects.toThrow(/update Regvault/);
    // Nothing was signed for an older relay.
    expect(heard).toEqual([]);
  } finally {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('a relay database from before protocol v5 that holds a vault is refused at start; an empty one is upgraded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-schema3-'));
  try {
    const withVault = join(dir, 'with-vault.sqlite3');
    const old = new Database(withVault);
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema', '3');
      CREATE TABLE vaults (vault TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE envelopes (vault TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL,
        counter INTEGER NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL, members INTEGER,
        PRIMARY KEY (vault, seq)) WITHOUT ROWID;
      INSERT INTO vaults VALUES ('vault-schema-three-00', 1);
      INSERT INTO envelopes VALUES ('vault-schema-three-00', 1, 0, x'01', 7, x'02', x'03', x'04', NULL);`);
    old.close();
    expect(() => openRelayDatabase(withVault, 'full', dir)).toThrow(/before protocol v5.*new database file/);

    const empty = join(dir, 'empty.sqlite3');
    const blank = new Database(empty);
    blank.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '1');
      CREATE TABLE envelopes (vault TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL,
        counter INTEGER NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL,
        PRIMARY KEY (vault, seq)) WITHOUT ROWID;`);
    blank.close();
    openRelayDatabase(empty, 'full', dir).close();
    const upgraded = new Database(empty);
    const columns = upgraded.prepare<[], { name: string; notnull: number }>('PRAGMA table_info(envelopes)').all();
    expect(columns.find((c) => c.name === 'members')).toMatchObject({ notnull: 1 });
    upgraded.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a v5 envelope carries its position in the signed bytes (control: the honest path is accepted)', async () => {
  const vault = await createTestVault();
  const [owner] = await startLinkedClients({ relayUrl: relayOf().url, vault, extra: 0 });
  if (!owner) throw new Error('owner missing');
  const socket = await openRawSocket(relayOf().url);
  await socket.authenticate(vault.owner);
  const env = await sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter: 100,
    members: 1,
    update: entryUpdate('v5'),
    signer: vault.owner,
    random: nodeRandom,
  });
  expect(await requestRaw(socket, { t: 'publish', id: 1, env: encodeEnvelope(env) })).toMatchObject({ t: 'ack' });
  socket.ws.close();
  await owner.stop();
});
