import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { openRecord } from '../../../../shared/crypto/seal';
import { addEntry, editEntry, listEntries, readSecretHistory } from '../../../../shared/entries';
import { createManualContext } from '../../../../shared/entries/test-context';
import { failureOf, valueOf } from '../../../../shared/test-result';
import { VaultStore } from './vault-store';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

function storeFor(dbName: string, compactEvery?: number) {
  const store = new VaultStore({
    dbName,
    calibrate: false,
    testOnlyKdfFloor: fastKdf,
    ...(compactEvery ? { compactEvery } : {}),
  });
  cleanup.push(() => store.close());
  return store;
}

async function profileWithEntry() {
  const dbName = `recovery-${Math.random()}`;
  const session = valueOf(await storeFor(dbName).createProfile('forgotten passphrase'));
  const vault = valueOf(await session.createVault('Personal'));
  const open = valueOf(await session.openVault(vault.id));
  addEntry(open.doc, { registry: 'ghcr.io', username: 'bot', secret: 'kept-secret' }, createManualContext('me'));
  await open.flush();
  return { dbName, session, vaultId: vault.id };
}

describe('recovery key', () => {
  it('forgot the passphrase: reset with the recovery key, everything opens, the new passphrase works', async () => {
    const { dbName, session, vaultId } = await profileWithEntry();
    const recoveryKey = valueOf(await session.createRecoveryKey());
    expect(await session.recoveryKeyCreatedAt()).toBeTypeOf('number');
    await session.lock();
    const store = storeFor(dbName);
    expect(failureOf(await store.unlock('not it')).code).toBe('wrong-passphrase');
    const reset = valueOf(await store.resetWithRecoveryKey(recoveryKey.toLowerCase(), 'brand new passphrase'));
    expect(listEntries(valueOf(await reset.openVault(vaultId)).doc).entries[0]?.secret).toBe('kept-secret');
    await reset.lock();
    expect(failureOf(await store.unlock('forgotten passphrase')).code).toBe('wrong-passphrase');
    const unlocked = valueOf(await storeFor(dbName).unlock('brand new passphrase'));
    expect(listEntries(valueOf(await unlocked.openVault(vaultId)).doc).entries).toHaveLength(1);
    // The reset cleared the back-off the wrong guesses started.
    expect(await store.unlockDelay()).toBe(0);
  });

  it('a rotated recovery key replaces the old one: the old fails and changes nothing', async () => {
    const { dbName, session } = await profileWithEntry();
    const old = valueOf(await session.createRecoveryKey());
    const current = valueOf(await session.createRecoveryKey());
    expect(current).not.toBe(old);
    await session.lock();
    const store = storeFor(dbName);
    expect(failureOf(await store.resetWithRecoveryKey(old, 'attacker passphrase')).code).toBe('wrong-recovery-key');
    valueOf(await store.unlock('forgotten passphrase'));
    const typo = (current[0] === 'A' ? 'B' : 'A') + current.slice(1);
    expect(failureOf(await store.resetWithRecoveryKey(typo, 'x y z w')).code).toBe('invalid-recovery-key');
    valueOf(await store.resetWithRecoveryKey(current, 'new passphrase here'));
  });

  it('without a recovery key, a reset says so; "Also rotate keys" keeps the recovery key working', async () => {
    const { dbName, session, vaultId } = await profileWithEntry();
    const key = valueOf(await session.createRecoveryKey());
    valueOf(await session.changePassphrase('forgotten passphrase', 'second passphrase', true));
    await session.lock();
    const reset = valueOf(await storeFor(dbName).resetWithRecoveryKey(key, 'third passphrase'));
    expect(listEntries(valueOf(await reset.openVault(vaultId)).doc).entries).toHaveLength(1);
    const other = await profileWithEntry();
    await other.session.lock();
    const refused = await storeFor(other.dbName).resetWithRecoveryKey(key, 'some passphrase');
    expect(failureOf(refused).code).toBe('no-recovery-key');
  });
});

describe('secret history at compaction', () => {
  it('leaves only the newest N previous secrets in the raw IndexedDB store', async () => {
    const dbName = `history-${Math.random()}`;
    const session = valueOf(await storeFor(dbName, 1000).createProfile('pw'));
    const vault = valueOf(await session.createVault('Personal'));
    const open = valueOf(await session.openVault(vault.id));
    const ctx = createManualContext('me');
    const added = valueOf(addEntry(open.doc, { registry: 'ghcr.io', username: 'u', secret: 'secret-0' }, ctx));
    for (let i = 1; i <= 5; i++) editEntry(open.doc, added.id, { secret: `secret-${i}` }, ctx);
    await open.flush();
    const sync = valueOf(await session.syncState(vault.id));
    const { key, epoch } = sync.vaultKey;
    const rawText = async () => {
      // Every stored record of the vault, opened with its key: what the store really holds.
      const raw = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(dbName);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const rows = async (name: string) =>
        new Promise<{ seq: number; sealed: Uint8Array; vaultId: string }[]>((resolve) => {
          const request = raw.transaction(name, 'readonly').objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result as never);
        });
      const updates = await rows('updates');
      const snapshots = await rows('snapshots');
      raw.close();
      const bindings = [
        ...updates.map((row) => ({ row, kind: 'vault-update' as const })),
        ...snapshots.map((row) => ({ row, kind: 'vault-snapshot' as const })),
      ];
      return bindings
        .map(({ row, kind }) =>
          Buffer.from(openRecord(row.sealed, key, { kind, vaultId: vault.id, epoch, seq: row.seq })).toString('latin1'),
        )
        .join('\n');
    };
    const before = await rawText();
    for (let i = 0; i <= 4; i++) expect(before).toContain(`secret-${i}`); // positive control: all five are there
    valueOf(await session.updateSettings({ ...session.settings, historyLimit: 2 }));
    await session.closeVault(vault.id);
    const reopened = valueOf(await session.openVault(vault.id));
    expect(await reopened.compact()).toBe(true);
    const after = await rawText();
    expect(readSecretHistory(reopened.doc, added.id).map((p) => p.value)).toEqual(['secret-4', 'secret-3']);
    for (const gone of ['secret-0', 'secret-1', 'secret-2']) expect(after).not.toContain(gone);
    for (const kept of ['secret-5', 'secret-4', 'secret-3']) expect(after).toContain(kept);
    // The document read back from the store agrees.
    const check = new Y.Doc();
    Y.applyUpdate(check, Y.encodeStateAsUpdate(reopened.doc));
    expect(readSecretHistory(check, added.id)).toHaveLength(2);
    sync.wipe();
  });
});
