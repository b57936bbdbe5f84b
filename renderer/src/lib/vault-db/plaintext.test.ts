import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { VaultStore } from './vault-store';
import { valueOf } from '../../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

/** Every record of every object store of a database, read with the raw IndexedDB API (not through Dexie). */
async function dumpDatabase(name: string): Promise<Record<string, unknown[]>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const dump: Record<string, unknown[]> = {};
  for (const store of Array.from(db.objectStoreNames)) {
    dump[store] = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(store, 'readonly').objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  db.close();
  return dump;
}

/** Every string and byte array inside a value, keys included. */
function collect(value: unknown, strings: string[], bytes: Uint8Array[]): void {
  if (typeof value === 'string') strings.push(value);
  else if (value instanceof Uint8Array) bytes.push(value);
  else if (ArrayBuffer.isView(value)) bytes.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else if (value instanceof ArrayBuffer) bytes.push(new Uint8Array(value));
  else if (Array.isArray(value)) for (const item of value) collect(item, strings, bytes);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      strings.push(key);
      collect(item, strings, bytes);
    }
  }
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** The plaintexts found anywhere in `value`: as text, or as UTF-8 / UTF-16LE bytes inside any byte array. */
function leaks(value: unknown, secrets: readonly string[]): string[] {
  const strings: string[] = [];
  const bytes: Uint8Array[] = [];
  collect(value, strings, bytes);
  return secrets.filter((secret) => {
    const utf8 = new TextEncoder().encode(secret);
    const utf16 = new Uint8Array(Uint16Array.from(secret, (c) => c.charCodeAt(0)).buffer);
    return (
      strings.some((s) => s.includes(secret)) || bytes.some((b) => containsBytes(b, utf8) || containsBytes(b, utf16))
    );
  });
}

const plaintexts = {
  vaultName: 'Payments Team Vault',
  renamedVault: 'Release Engineering',
  registry: 'registry.payments.example.com:5443',
  username: 'robot$payments-ci',
  secret: 'glpat-S3cr3tT0kenValue-xyz',
  note: 'rotated by Ana after the March incident',
  passphrase: 'my profile passphrase',
  relay: 'wss://relay.payments.example.com:8443',
};

describe('IndexedDB holds no plaintext', () => {
  it('the detector finds the plaintexts when they are not sealed', () => {
    const doc = new Y.Doc();
    doc.getMap('entries').set('e1', new Y.Map(Object.entries({ secret: plaintexts.secret, notes: plaintexts.note })));
    const unsealed = {
      updates: [{ vaultId: 'v', seq: 1, sealed: Y.encodeStateAsUpdate(doc) }],
      name: plaintexts.vaultName,
    };
    expect(leaks(unsealed, Object.values(plaintexts))).toEqual([
      plaintexts.vaultName,
      plaintexts.secret,
      plaintexts.note,
    ]);
  });

  it('a raw dump of every table contains none of the names, registry, username, secret or note written', async () => {
    const dbName = `plaintext-test-${Math.random()}`;
    const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf, compactEvery: 5 });
    cleanup.push(() => store.close());
    const session = valueOf(await store.createProfile(plaintexts.passphrase));
    const vault = valueOf(await session.createVault(plaintexts.vaultName));
    const second = valueOf(await session.createVault('Second vault'));
    valueOf(await session.renameVault(second.id, plaintexts.renamedVault));
    const open = valueOf(await session.openVault(vault.id));
    const entry = new Y.Map<unknown>();
    open.entries.set('entry-1', entry);
    entry.set('registry', plaintexts.registry);
    entry.set('username', plaintexts.username);
    entry.set('secret', plaintexts.secret);
    entry.set('notes', plaintexts.note);
    for (let i = 0; i < 7; i++) entry.set('updatedAt', i); // enough updates for a compaction: snapshot and log both hold data
    await open.flush();
    valueOf(await session.updateSettings({ autoLockMinutes: 3 }));
    const sync = valueOf(await session.syncState(vault.id));
    await sync.saveSettings({ relayUrl: plaintexts.relay, enabled: true });
    const author = btoa(String.fromCharCode(...session.identity.signing));
    const b64 = (n: number) => btoa('\u0001'.repeat(n));
    const env = {
      vault: vault.id,
      epoch: 0,
      author,
      counter: 1,
      members: 1,
      nonce: b64(24),
      ciphertext: b64(9),
      sig: b64(64),
    };
    await sync.storage.commit({
      cursor: { head: 1, counter: 1, snapshotSeq: 0, authors: { [author]: 1 }, members: [], vector: null },
      append: [env],
    });
    await session.lock();

    const dump = await dumpDatabase(dbName);
    expect(Object.keys(dump).sort()).toEqual(['clientIds', 'profile', 'snapshots', 'syncPending', 'syncState', 'updates', 'vaults']);
    expect(dump.syncPending).toHaveLength(1);
    expect(leaks(dump, [author, 'relayUrl', 'authors', 'ciphertext'])).toEqual([]);
    expect(dump.snapshots).toHaveLength(1);
    expect(dump.updates?.length).toBeGreaterThan(0);
    expect(dump.vaults).toHaveLength(2);
    expect(leaks(dump, [...Object.values(plaintexts), 'Second vault', 'autoLockMinutes', 'entries'])).toEqual([]);

    const reopened = valueOf(await store.unlock(plaintexts.passphrase));
    expect(valueOf(await reopened.listVaults()).map((v) => v.name)).toEqual([
      plaintexts.vaultName,
      plaintexts.renamedVault,
    ]);
    expect(
      valueOf(await reopened.openVault(vault.id))
        .entries.get('entry-1')
        ?.get('secret'),
    ).toBe(plaintexts.secret);
  });
});
