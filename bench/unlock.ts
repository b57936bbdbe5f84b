// Unlock benchmark (DESIGN §9): `npx tsx bench/unlock.ts` prints JSON to stdout, progress to stderr.
// For vaults of 100 and 10,000 entries (each a Y.Map of 10 fields, one Yjs transaction per entry, so the
// log is compacted every 300 updates as in real use) it measures, on a fresh connection each run:
//   kdfMs              Argon2id alone with the stored (real default: 64 MiB, t=3, p=1) parameters
//   unlockMs           VaultStore.unlock with those parameters: KDF + unwrap keys + settings + bookkeeping
//   unlockWithoutKdfMs the same unlock on a copy whose master key is wrapped under a negligible KDF
//   listVaultsMs       unwrap the vault key, open the sealed name
//   openVaultMs        read snapshot + log from IndexedDB, decrypt, build the Y.Doc
//   excludingKdfMs     unlockWithoutKdfMs + listVaultsMs + openVaultMs (target: < 1.5 s for 10,000 entries)
// plus a breakdown of openVault (read / decrypt / apply) and IndexedDB bytes per entry: the sum of every
// stored ciphertext (wrapped keys, sealed settings, names, snapshot, log) divided by the entry count.
// IndexedDB is fake-indexeddb in Node; Chromium's real IndexedDB will differ.
import 'fake-indexeddb/auto';
import { loadavg } from 'node:os';
import nacl from 'tweetnacl';
import * as Y from 'yjs';
import { createKdfParams, deriveKeyFromPassphrase, type KdfCost } from '../shared/crypto/kdf';
import { unlockProfileKeys, unwrapVaultKey } from '../shared/crypto/profile-keys';
import { openRecord, wrapKey } from '../shared/crypto/seal';
import { logRange, PROFILE_ROW_ID, RegvaultDb } from '../renderer/src/lib/vault-db/db';
import { VaultStore } from '../renderer/src/lib/vault-db/vault-store';
import { valueOf } from '../shared/test-result';

const PASSPHRASE = 'correct horse battery staple';
const RUNS = 5;
const NO_KDF_COST: KdfCost = { memoryKiB: 8, iterations: 1, parallelism: 1 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) * 10) / 10;
}

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await task();
  return [result, performance.now() - start];
}

function fillEntry(fields: Y.Map<unknown>, i: number): void {
  fields.set('registry', `registry-${i % 50}.example.com:5000`);
  fields.set('displayName', `Pipeline credential ${i}`);
  fields.set('username', `robot$team-${i}`);
  fields.set('secret', `glpat-${(i * 7919).toString(36).padStart(8, '0')}-xq3Lw9sT2vR8nB4m`);
  fields.set('email', `ci-${i}@example.com`);
  fields.set('notes', `Used by the nightly build of service ${i}; rotate quarterly.`);
  fields.set('pipelines', JSON.stringify([`build-${i}`, `deploy-${i % 10}`]));
  fields.set('expiresAt', 1_800_000_000_000 + i);
  fields.set('createdAt', 1_700_000_000_000 + i);
  fields.set('updatedAt', 1_700_000_000_000 + i);
}

async function buildVault(dbName: string, entries: number): Promise<{ vaultId: string; setupMs: number }> {
  const store = new VaultStore({ dbName, calibrate: false });
  const [vaultId, setupMs] = await timed(async () => {
    const session = valueOf(await store.createProfile(PASSPHRASE));
    const { id } = valueOf(await session.createVault('Bench vault'));
    const vault = valueOf(await session.openVault(id));
    for (let i = 0; i < entries; i++) {
      vault.doc.transact(() => {
        const fields = new Y.Map<unknown>();
        vault.entries.set(`entry-${i}`, fields);
        fillEntry(fields, i);
      });
    }
    await vault.flush();
    return id;
  });
  await store.close();
  return { vaultId, setupMs };
}

async function storedBytes(dbName: string, vaultId: string) {
  const db = new RegvaultDb(dbName);
  const profile = await db.profile.get(PROFILE_ROW_ID);
  const vaults = await db.vaults.toArray();
  const snapshot = await db.snapshots.get(vaultId);
  const log = await logRange(db, vaultId, 0).toArray();
  db.close();
  const profileBytes = profile
    ? profile.wrappedMasterKey.length + profile.wrappedIdentity.length + profile.sealedSettings.length
    : 0;
  const vaultBytes = vaults.reduce((sum, v) => sum + v.wrappedKey.length + v.sealedMeta.length, 0);
  const snapshotBytes = snapshot?.sealed.length ?? 0;
  const logBytes = log.reduce((sum, row) => sum + row.sealed.length, 0);
  return {
    profileBytes,
    vaultBytes,
    snapshotBytes,
    logBytes,
    logRows: log.length,
    total: profileBytes + vaultBytes + snapshotBytes + logBytes,
  };
}

// The steps of openVault done by hand, to split its time into read, decrypt and apply.
async function breakdownOpen(dbName: string, vaultId: string) {
  const db = new RegvaultDb(dbName);
  const profile = await db.profile.get(PROFILE_ROW_ID);
  const vault = await db.vaults.get(vaultId);
  if (!profile || !vault) throw new Error('bench database incomplete');
  const { keys } = await unlockProfileKeys(profile, PASSPHRASE, { random: nacl.randomBytes });
  const vaultKey = unwrapVaultKey(vault.wrappedKey, keys.masterKey, vaultId, vault.epoch);
  const [[snapshot, log], readMs] = await timed(async () => {
    const snap = await db.snapshots.get(vaultId);
    return [snap, await logRange(db, vaultId, (snap?.seq ?? 0) + 1).toArray()] as const;
  });
  const [updates, decryptMs] = await timed(async () => [
    ...(snapshot
      ? [
          openRecord(snapshot.sealed, vaultKey, {
            kind: 'vault-snapshot',
            vaultId,
            epoch: vault.epoch,
            seq: snapshot.seq,
          }),
        ]
      : []),
    ...log.map((row) =>
      openRecord(row.sealed, vaultKey, { kind: 'vault-update', vaultId, epoch: vault.epoch, seq: row.seq }),
    ),
  ]);
  const [doc, applyMs] = await timed(async () => {
    const d = new Y.Doc();
    Y.transact(d, () => updates.forEach((u) => Y.applyUpdate(d, u)));
    return d;
  });
  db.close();
  return { readMs, decryptMs, applyMs, plaintextStateBytes: Y.encodeStateAsUpdate(doc).length };
}

// A copy of the database whose master key is re-wrapped under a negligible KDF, so `unlock` there measures
// everything unlock does except Argon2id, on the same keys and data.
async function cloneWithoutKdfCost(dbName: string): Promise<string> {
  const source = new RegvaultDb(dbName);
  const [profile, vaults, updates, snapshots] = await Promise.all([
    source.profile.get(PROFILE_ROW_ID),
    source.vaults.toArray(),
    source.updates.toArray(),
    source.snapshots.toArray(),
  ]);
  source.close();
  if (!profile) throw new Error('no profile');
  const { keys } = await unlockProfileKeys(profile, PASSPHRASE, { random: nacl.randomBytes });
  const kdf = createKdfParams(NO_KDF_COST, nacl.randomBytes, { testOnlyKdfFloor: NO_KDF_COST });
  const kek = await deriveKeyFromPassphrase(PASSPHRASE, kdf, { testOnlyKdfFloor: NO_KDF_COST });
  const wrappedMasterKey = wrapKey(keys.masterKey, kek, { kind: 'master-key' }, nacl.randomBytes);
  const cloneName = `${dbName}-no-kdf`;
  const clone = new RegvaultDb(cloneName);
  await clone.profile.put({ ...profile, kdf, wrappedMasterKey });
  await clone.vaults.bulkPut(vaults);
  await clone.updates.bulkPut(updates);
  await clone.snapshots.bulkPut(snapshots);
  clone.close();
  return cloneName;
}

async function measure(entries: number) {
  const dbName = `bench-unlock-${entries}-${Date.now()}`;
  process.stderr.write(`building ${entries} entries…\n`);
  const { vaultId, setupMs } = await buildVault(dbName, entries);
  const noKdfName = await cloneWithoutKdfCost(dbName);
  const raw = new RegvaultDb(dbName);
  const profile = await raw.profile.get(PROFILE_ROW_ID);
  raw.close();
  if (!profile) throw new Error('no profile');
  const samples = {
    kdfMs: [] as number[],
    unlockMs: [] as number[],
    unlockWithoutKdfMs: [] as number[],
    listVaultsMs: [] as number[],
    openVaultMs: [] as number[],
    excludingKdfMs: [] as number[],
  };
  for (let run = 0; run < RUNS; run++) {
    samples.kdfMs.push((await timed(() => deriveKeyFromPassphrase(PASSPHRASE, profile.kdf)))[1]);
    const store = new VaultStore({ dbName, calibrate: false });
    samples.unlockMs.push((await timed(() => store.unlock(PASSPHRASE)))[1]);
    await store.close();

    const fast = new VaultStore({ dbName: noKdfName, calibrate: false, testOnlyKdfFloor: NO_KDF_COST });
    const [unlocked, unlockWithoutKdfMs] = await timed(() => fast.unlock(PASSPHRASE));
    const session = valueOf(unlocked);
    const [, listVaultsMs] = await timed(() => session.listVaults());
    const [opened, openVaultMs] = await timed(() => session.openVault(vaultId));
    const vault = valueOf(opened);
    if (vault.entries.size !== entries) throw new Error(`expected ${entries} entries, opened ${vault.entries.size}`);
    await fast.close();
    samples.unlockWithoutKdfMs.push(unlockWithoutKdfMs);
    samples.listVaultsMs.push(listVaultsMs);
    samples.openVaultMs.push(openVaultMs);
    samples.excludingKdfMs.push(unlockWithoutKdfMs + listVaultsMs + openVaultMs);
  }
  const bytes = await storedBytes(dbName, vaultId);
  const breakdown = await breakdownOpen(dbName, vaultId);
  return {
    entries,
    fieldsPerEntry: 10,
    setupMs: Math.round(setupMs),
    kdfMs: median(samples.kdfMs),
    unlockMs: median(samples.unlockMs),
    unlockWithoutKdfMs: median(samples.unlockWithoutKdfMs),
    listVaultsMs: median(samples.listVaultsMs),
    openVaultMs: median(samples.openVaultMs),
    excludingKdfMs: median(samples.excludingKdfMs),
    openVaultBreakdownMs: {
      readMs: median([breakdown.readMs]),
      decryptMs: median([breakdown.decryptMs]),
      applyMs: median([breakdown.applyMs]),
    },
    storage: {
      ...bytes,
      plaintextStateBytes: breakdown.plaintextStateBytes,
      bytesPerEntry: Math.round((bytes.total / entries) * 10) / 10,
    },
  };
}

const loadBefore = loadavg()[0];
const results = [];
for (const entries of [100, 10_000]) results.push(await measure(entries));
const large = results.at(-1);
const output = {
  benchmark: 'unlock',
  node: process.version,
  runs: RUNS,
  // Medians of RUNS runs. The 1-minute load average shows whether other work shared the CPU during the run.
  loadAverage1m: {
    before: Math.round((loadBefore ?? 0) * 100) / 100,
    after: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  },
  kdfParams: { memoryKiB: 65536, iterations: 3, parallelism: 1 },
  results,
  target: { excludingKdfMsFor10000: 1500, met: (large?.excludingKdfMs ?? Infinity) < 1500 },
};
process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
