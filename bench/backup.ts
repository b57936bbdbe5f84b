// Backup benchmark: `npx tsx bench/backup.ts` prints JSON. For a vault of 1,000 and 10,000 entries (each rotated
// once, so it carries one previous secret) in a profile at the real KDF floor (64 MiB, t=3, p=1), it measures:
//   backupMs   makeBackupFile: read the document, encode, Argon2id, seal (what "Save backup" waits for, before main)
//   openMs     openBackupFile: Argon2id, open, parse (what "Open backup" waits for)
//   restoreMs  restoreVaults into a fresh profile (import the vault, apply the document, write it to IndexedDB)
//   fileBytes  the backup's size, and bytes per entry
// IndexedDB is fake-indexeddb in Node; Chromium's real IndexedDB will differ.
import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { addEntries, editEntry, listEntries } from '../shared/entries';
import { createManualContext } from '../shared/entries/test-context';
import { valueOf } from '../shared/test-result';
import { makeBackupFile } from '../renderer/src/lib/backup/collect-backup';
import { openBackupFile, restoreVaults } from '../renderer/src/lib/backup/restore-backup';
import { VaultStore } from '../renderer/src/lib/vault-db/vault-store';
import { sampleEntry } from './sample-entries';

const passphrase = 'quiet orange tractor window';

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await task();
  return [result, Math.round(performance.now() - start)];
}

async function measure(count: number) {
  const store = new VaultStore({ dbName: `bench-backup-${count}`, calibrate: false });
  const session = valueOf(await store.createProfile(passphrase));
  const vault = valueOf(await session.createVault('Bench'));
  const open = valueOf(await session.openVault(vault.id));
  const ctx = createManualContext('bench');
  const added = addEntries(
    open.doc,
    Array.from({ length: count }, (_, i) => sampleEntry(i)),
    ctx,
  );
  open.doc.transact(() => {
    for (const result of added)
      if (result.ok) editEntry(open.doc, result.value.id, { secret: `rotated-${result.value.id}` }, ctx);
  });
  await open.flush();
  const [file, backupMs] = await timed(() =>
    makeBackupFile(session, [vault.id], { kind: 'passphrase', passphrase }, nacl.randomBytes),
  );
  const [payload, openMs] = await timed(() => openBackupFile(file, { passphrase }));
  const fresh = new VaultStore({ dbName: `bench-backup-fresh-${count}`, calibrate: false });
  const target = valueOf(await fresh.createProfile(passphrase));
  const [, restoreMs] = await timed(() => restoreVaults(target, payload, [vault.id]));
  const restored = listEntries(valueOf(await target.openVault(vault.id)).doc).entries.length;
  await Promise.all([store.close(), fresh.close()]);
  if (restored !== count) throw new Error(`restored ${restored} of ${count} entries`);
  return {
    entries: count,
    backupMs,
    openMs,
    restoreMs,
    fileBytes: file.length,
    bytesPerEntry: Math.round(file.length / count),
  };
}

const results = [];
for (const count of [1000, 10_000]) {
  process.stderr.write(`backup: ${count} entries…\n`);
  results.push(await measure(count));
}
process.stdout.write(`${JSON.stringify({ vaults: results }, null, 2)}\n`);
