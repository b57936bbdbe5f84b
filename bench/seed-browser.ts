// Bundled for the browser by bench/entries-ui.ts: creates a profile holding one vault of N entries in
// the page's real IndexedDB, through the app's own store and entry model (the same code the UI runs).
import '../renderer/src/lib/zod-jitless';
import { addEntries } from '../shared/entries';
import { deriveKeyFromPassphrase, createKdfParams, KDF_DEFAULT_TARGET } from '../shared/crypto/kdf';
import { VaultStore } from '../renderer/src/lib/vault-db';
import nacl from 'tweetnacl';
import { sampleEntry } from './sample-entries';
import { valueOf } from '../shared/test-result';

async function seed(passphrase: string, count: number): Promise<number> {
  const store = new VaultStore({ calibrate: false });
  const session = valueOf(await store.createProfile(passphrase));
  const vault = valueOf(await session.createVault('Personal'));
  const open = valueOf(await session.openVault(vault.id));
  const inputs = Array.from({ length: count }, (_, i) => sampleEntry(i));
  const ctx = { now: () => Date.now(), newId: () => crypto.randomUUID(), actor: 'bench' };
  const added = addEntries(open.doc, inputs, ctx).filter((r) => r.ok).length;
  await open.flush();
  await store.close();
  return added;
}

async function measureKdf(): Promise<number> {
  const params = createKdfParams(KDF_DEFAULT_TARGET, nacl.randomBytes);
  const start = performance.now();
  await deriveKeyFromPassphrase('correct horse battery staple', params);
  return performance.now() - start;
}

Object.assign(window, { regvaultBench: { seed, measureKdf } });
