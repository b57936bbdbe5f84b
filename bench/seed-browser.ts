// Bundled for the browser by bench/entries-ui.ts: creates a profile holding one vault of N entries in
// the page's real IndexedDB, through the app's own store and entry model (the same code the UI runs).
import '../renderer/src/lib/zod-jitless';
import { addEntries, type NewEntryInput } from '../shared/entries';
import { deriveKeyFromPassphrase, createKdfParams, KDF_DEFAULT_TARGET } from '../shared/crypto/kdf';
import { VaultStore } from '../renderer/src/lib/vault-db';
import nacl from 'tweetnacl';

function input(i: number): NewEntryInput {
  return {
    registry: `registry-${i}.example.com:5000`,
    name: `Pipeline credential ${i}`,
    username: `robot$ci-${i}`,
    secret: `token-${i}-${'x'.repeat(32)}`,
    notes: `Used by team ${i % 97} for nightly builds`,
    pipelines: [`build-${i % 311}`, `deploy-${i % 53}`],
  };
}

async function seed(passphrase: string, count: number): Promise<number> {
  const store = new VaultStore({ calibrate: false });
  const session = await store.createProfile(passphrase);
  const vault = await session.createVault('Personal');
  const open = await session.openVault(vault.id);
  const inputs = Array.from({ length: count }, (_, i) => input(i));
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
