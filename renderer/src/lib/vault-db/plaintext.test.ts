import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { VaultStore } from './vault-store';
import { valueOf } from '../../../../shared/test-result';
import { dumpDatabase, findLeaks } from '../../../../tests/support/indexeddb-dump';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

const leaks = findLeaks;

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
    expect(Object.keys(dump).sort()).toEqual([
      'clientIds',
      'profile',
      'snapshots',
      'syncPending',
      'syncState',
      'updates',
      'vaults',
    ]);
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
