import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { isVaultError } from '../../../../shared/crypto/errors';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { decodePairingCode, startPairing } from '../../../../shared/sync/pairing';
import type { SyncCursor } from '../../../../shared/sync/storage';
import type { WireEnvelope, WireMemberRecord } from '../../../../shared/sync/wire-records';
import { RegvaultDb } from './db';
import { DEFAULT_SYNC_SETTINGS } from './sync-records';
import { VaultStore } from './vault-store';
import { valueOf } from '../../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function setup() {
  const dbName = `sync-state-${Math.random()}`;
  const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf });
  const raw = new RegvaultDb(dbName);
  cleanup.push(
    () => store.close(),
    async () => raw.close(),
  );
  const session = valueOf(await store.createProfile('pw'));
  const vault = valueOf(await session.createVault('Team'));
  return { session, raw, vaultId: vault.id };
}

const b64 = (n: number, fill = 1) => btoa(String.fromCharCode(...new Uint8Array(n).fill(fill)));
const member = (vault: string, index: number): WireMemberRecord => ({
  vault,
  index,
  prev: b64(32, 0),
  action: 'add',
  subject: b64(32, index + 1),
  role: 'admin',
  signer: b64(32, 1),
  sig: b64(64),
});
const envelope = (vault: string, counter: number): WireEnvelope => ({
  vault,
  epoch: 0,
  author: b64(32),
  counter,
  members: 1,
  nonce: b64(24),
  ciphertext: b64(40, counter),
  sig: b64(64),
});

/** Every byte stored in the sync tables, as one string (to look for cleartext). */
async function dump(raw: RegvaultDb): Promise<string> {
  const rows = [...(await raw.syncState.toArray()), ...(await raw.syncPending.toArray())];
  return rows
    .flatMap((row) => Object.values(row))
    .map((v) => (v instanceof Uint8Array ? new TextDecoder('latin1').decode(v) : JSON.stringify(v)))
    .join('|');
}

describe('vault sync state', () => {
  it('starts off, stores the relay URL and switch sealed, and refuses a non-WebSocket URL', async () => {
    const { session, raw, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    expect(await state.settings()).toEqual(DEFAULT_SYNC_SETTINGS);
    await state.saveSettings({ relayUrl: ' wss://relay.acme.internal:8443 ', enabled: true });
    expect(await valueOf(await session.syncState(vaultId)).settings()).toEqual({
      relayUrl: 'wss://relay.acme.internal:8443',
      enabled: true,
    });
    expect(await dump(raw)).not.toContain('acme');
    for (const relayUrl of ['https://relay.example.com', 'relay', 'ws://'])
      await expect(state.saveSettings({ relayUrl, enabled: true })).rejects.toSatisfy((e) =>
        isVaultError(e, 'invalid-settings'),
      );
  });

  it('refuses plain ws:// to another machine and says to use wss://; accepts it to this machine', async () => {
    const { session, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    for (const relayUrl of ['ws://relay.example.com:8787', 'ws://192.168.1.20:8787', 'ws://[fe80::1]:8787'])
      await expect(state.saveSettings({ relayUrl, enabled: true })).rejects.toSatisfy(
        (e) => isVaultError(e, 'invalid-settings') && /only to this machine.*Use wss:\/\//.test(e.message),
      );
    expect(await state.settings()).toEqual(DEFAULT_SYNC_SETTINGS);
    for (const relayUrl of [
      'ws://127.0.0.1:9000',
      'ws://localhost:9000',
      'ws://[::1]:9000',
      'wss://relay.example.com',
    ]) {
      await state.saveSettings({ relayUrl, enabled: false });
      expect((await state.settings()).relayUrl).toBe(relayUrl);
    }
  });

  it('persists the cursor and the queue atomically, sealed and bound to their place', async () => {
    const { session, raw, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    expect(await state.storage.load()).toEqual({ cursor: null, pending: [] });
    const members = [member(vaultId, 0)];
    const cursor: SyncCursor = {
      head: 7,
      counter: 2,
      snapshotSeq: 0,
      authors: { [b64(32)]: 2 },
      members,
      vector: new Uint8Array([1, 2, 3]),
    };
    await state.storage.commit({ cursor, append: [envelope(vaultId, 1), envelope(vaultId, 2)] });
    await state.storage.commit({ remove: [1] });
    const loaded = await valueOf(await session.syncState(vaultId)).storage.load();
    expect(loaded.cursor).toEqual(cursor);
    expect(loaded.pending).toEqual([envelope(vaultId, 2)]);
    expect(await dump(raw)).not.toContain(b64(32));

    // A queued envelope moved to another counter does not open.
    const row = (await raw.syncPending.toArray())[0];
    if (!row) throw new Error('no row');
    await raw.syncPending.put({ ...row, counter: 5 });
    await raw.syncPending.delete([vaultId, 2]);
    await expect(state.storage.load()).rejects.toSatisfy((e) => isVaultError(e, 'damaged'));
  });

  it('keeps the first cursor, and on another relay starts over from the genesis record', async () => {
    const { session, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    await state.saveSettings({ relayUrl: 'wss://one.example:1', enabled: true });
    await state.initialize([member(vaultId, 0)]);
    await state.initialize([member(vaultId, 5)]);
    expect((await state.storage.load()).cursor?.members).toEqual([member(vaultId, 0)]);
    const grown = { head: 9, counter: 4, snapshotSeq: 3, authors: { a: 1 }, vector: new Uint8Array([9]) };
    await state.storage.commit({
      cursor: { ...grown, members: [member(vaultId, 0), member(vaultId, 1)] },
      append: [envelope(vaultId, 4)],
    });
    await state.saveSettings({ relayUrl: 'wss://one.example:1', enabled: false });
    expect((await state.storage.load()).cursor?.head).toBe(9);
    await state.saveSettings({ relayUrl: 'wss://two.example:2', enabled: true });
    expect(await state.storage.load()).toEqual({
      cursor: { head: 0, counter: 4, snapshotSeq: 0, authors: {}, members: [member(vaultId, 0)], vector: null },
      pending: [],
    });
  });

  it('resets the cursor after a fatal sync error, keeping the counter and the queue of unsent changes', async () => {
    const { session, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    await state.resetCursor();
    expect((await state.storage.load()).cursor).toBeNull();
    const grown = { head: 9, counter: 4, snapshotSeq: 3, authors: { a: 1 }, vector: new Uint8Array([9]) };
    await state.storage.commit({
      cursor: { ...grown, members: [member(vaultId, 0), member(vaultId, 1)] },
      append: [envelope(vaultId, 4)],
    });
    await state.resetCursor();
    expect(await state.storage.load()).toEqual({
      cursor: { head: 0, counter: 4, snapshotSeq: 0, authors: {}, members: [member(vaultId, 0)], vector: null },
      pending: [envelope(vaultId, 4)],
    });
  });

  it('deletes a vault with its sync rows, and imports a received vault once', async () => {
    const { session, raw, vaultId } = await setup();
    const state = valueOf(await session.syncState(vaultId));
    await state.saveSettings({ relayUrl: 'wss://one.example:1', enabled: true });
    await state.storage.commit({ append: [envelope(vaultId, 1)] });
    valueOf(await session.deleteVault(vaultId));
    expect(await raw.syncState.count()).toBe(0);
    expect(await raw.syncPending.count()).toBe(0);

    const key = { epoch: 0, key: nacl.randomBytes(32) };
    const id = 'AbCdEfGhIjKlMnOpQrStUv';
    expect(valueOf(await session.importVault(id, key, 'Linked vault'))?.name).toBe('Linked vault');
    expect(valueOf(await session.importVault(id, key, 'Other'))).toBeNull();
    expect(valueOf(await session.listVaults()).map((v) => v.name)).toEqual(['Linked vault']);
    expect(valueOf(await session.syncState(id)).vaultKey.key).toEqual(key.key);
  });

  it('shows a pairing code of its public keys and the secret, and signs with the identity key through WebCrypto', async () => {
    const { session } = await setup();
    const pairing = startPairing(nacl.randomBytes, Date.now());
    const invite = decodePairingCode(session.pairingCode(pairing), Date.now());
    if (typeof invite === 'string') throw new Error(invite);
    expect(invite.identity.signing).toEqual(session.identity.signing);
    expect(invite.identity.box).toEqual(session.identity.exchange);
    expect(invite.secret).toEqual(pairing.secret);
    const signer = await session.deviceSigner();
    const message = new TextEncoder().encode('regvault/v1/auth\0challenge');
    const sig = await signer.sign(message);
    expect(nacl.sign.detached.verify(message, sig, session.identity.signing)).toBe(true);
    await session.lock();
    await expect(signer.sign(message)).rejects.toSatisfy((e) => isVaultError(e, 'locked'));
  });

  it('runs lock listeners after the keys are wiped and before the documents close (sync stops there)', async () => {
    const { session, vaultId } = await setup();
    const vault = valueOf(await session.openVault(vaultId));
    let seen: readonly boolean[] = [];
    session.onLock(async () => {
      await Promise.resolve();
      seen = [session.locked, vault.isClosed];
    });
    await session.lock();
    expect(seen).toEqual([true, false]);
    expect(vault.isClosed).toBe(true);
  });
});
