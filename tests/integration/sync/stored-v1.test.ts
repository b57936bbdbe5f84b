// A store written by an earlier version (tests/fixtures/store-v1.json, made by make-store-v1.ts) opens with
// this version: unlock with its passphrase, read its entries, send the document to a real relay, and keep
// working (what is written after opening opens again). Its queued envelopes predate protocol v5 (no
// member-log position): they are never sent; the document is queued again instead, as v5 envelopes.
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type * as Y from 'yjs';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { tryOpenRecord } from '../../../shared/crypto/seal';
import { addEntry } from '../../../shared/entries/entry-create';
import { listEntries } from '../../../shared/entries/entry-list';
import { createManualContext } from '../../../shared/entries/test-context';
import { createSyncEngine } from '../../../shared/sync/engine';
import { RegvaultDb } from '../../../renderer/src/lib/vault-db/db';
import { VaultStore, type UnlockedProfile } from '../../../renderer/src/lib/vault-db';
import { loadDb, type DbDump } from '../../fixtures/idb-json';
import { FIXTURE_ENTRIES, FIXTURE_KDF, FIXTURE_PASSPHRASE, FIXTURE_UNREACHABLE_RELAY } from '../../fixtures/store-v1';
import { readVault, waitSynced } from './harness';
import { nodeSyncPorts, relayForSuite } from './renderer-suite';
import { valueOf } from '../../../shared/test-result';

type Fixture = Readonly<{ vaultId: string; pending: number; dump: DbDump }>;
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'store-v1.json'), 'utf8'),
) as Fixture;
const ports = nodeSyncPorts;
const suite = relayForSuite();
const cleanup = suite.cleanup;

async function openFixture(): Promise<{ dbName: string; store: VaultStore; session: UnlockedProfile }> {
  const dbName = `fixture-v1-${Math.random()}`;
  await loadDb(dbName, fixture.dump);
  const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: FIXTURE_KDF });
  cleanup.push(() => store.close());
  return { dbName, store, session: valueOf(await store.unlock(FIXTURE_PASSPHRASE)) };
}

/** The entries of a vault as sorted `registry username secret` lines. */
const credentials = (doc: Y.Doc) =>
  listEntries(doc)
    .entries.map((e) => `${e.registry} ${e.username} ${e.secret}`)
    .sort();
const expected = FIXTURE_ENTRIES.map((e) => e.join(' ')).sort();

test('a store written by version 1 unlocks, reads its entries, drops its pre-v5 queue and sends the document again', async () => {
  const { dbName, store, session } = await openFixture();
  expect(session.settings).toEqual({ autoLockMinutes: 5 });
  const vaults = valueOf(await session.listVaults());
  expect(vaults.map((v) => [v.name, v.problem]).sort()).toEqual([
    ['Never synced', null],
    ['Team', null],
  ]);
  const vault = valueOf(await session.openVault(fixture.vaultId));
  expect(credentials(vault.doc)).toEqual(expected);

  const state = valueOf(await session.syncState(fixture.vaultId));
  expect(await state.settings()).toEqual({ relayUrl: FIXTURE_UNREACHABLE_RELAY, enabled: true });
  expect(fixture.pending).toBeGreaterThan(0);
  const stored = await state.storage.load();
  expect(stored.pending).toEqual([]);
  expect(stored.cursor?.vector).toBeNull();
  expect(stored.cursor?.members).toHaveLength(1);

  // The queued envelopes go to a real relay; a second device linked through it receives every entry.
  const engine = createSyncEngine({
    doc: vault.doc,
    vaultId: fixture.vaultId,
    vaultKey: state.vaultKey,
    device: await session.deviceSigner(),
    verify: ports.verify,
    relayUrl: suite.relay().url,
    connect: ports.connect,
    random: ports.random,
    clock: ports.clock,
    storage: state.storage,
    retry: ports.retry,
  });
  cleanup.push(() => engine.stop());
  await engine.start();
  await waitSynced(engine);
  expect(engine.pendingCount()).toBe(0);

  // The document went to the relay again as a v5 envelope (its entries were written with the actor
  // 'fixture', which v5 peers refuse as another member's: that is the judge's business, not the store's).
  const served = await readVault(suite.relay().url, await session.deviceSigner(), fixture.vaultId);
  expect(served.envs.length).toBeGreaterThan(0);
  for (const { env } of served.envs) expect(env.members).toBeGreaterThanOrEqual(1);

  // Writing after opening: a new entry syncs, and the store reopens with it, queue empty.
  // As the app writes: the actor is this device's signing key (peers refuse a change naming anyone else).
  const actor = encodeBase64(session.identity.signing);
  addEntry(vault.doc, { registry: 'gcr.io', username: 'written-after', secret: 'new' }, createManualContext(actor));
  await engine.flush();
  await waitSynced(engine);
  await engine.stop();
  state.wipe();
  await vault.flush();
  await session.lock();
  await store.close();

  const again = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: FIXTURE_KDF });
  cleanup.push(() => again.close());
  const reopened = valueOf(await again.unlock(FIXTURE_PASSPHRASE));
  expect(credentials(valueOf(await reopened.openVault(fixture.vaultId)).doc)).toContain('gcr.io written-after new');
  const reloaded = await valueOf(await reopened.syncState(fixture.vaultId)).storage.load();
  expect(reloaded.pending).toEqual([]);
  expect(reloaded.cursor?.head).toBeGreaterThan(0);

  // Read old, write new: settings, cursor and queue written now are record kinds of shared/crypto/seal.
  const state2 = valueOf(await reopened.syncState(fixture.vaultId));
  const { key, epoch } = { key: state2.vaultKey.key.slice(), epoch: state2.vaultKey.epoch };
  await state2.saveSettings({ relayUrl: suite.relay().url, enabled: true });
  const offline = createSyncEngine({
    doc: valueOf(await reopened.openVault(fixture.vaultId)).doc,
    vaultId: fixture.vaultId,
    vaultKey: state2.vaultKey,
    device: await reopened.deviceSigner(),
    verify: ports.verify,
    relayUrl: FIXTURE_UNREACHABLE_RELAY,
    connect: ports.connect,
    random: ports.random,
    clock: ports.clock,
    storage: state2.storage,
  });
  await offline.start();
  await offline.flush();
  expect(offline.pendingCount()).toBeGreaterThan(0);
  await offline.stop();
  state2.wipe();

  const raw = new RegvaultDb(dbName);
  cleanup.push(async () => raw.close());
  const place = { vaultId: fixture.vaultId, epoch };
  const row = await raw.syncState.get(fixture.vaultId);
  const old = fixture.dump.tables['syncState']?.[0] as { sealedCursor: { $bytes: string } } | undefined;
  expect(Buffer.from(row?.sealedCursor ?? []).toString('base64')).not.toBe(old?.sealedCursor.$bytes);
  expect(
    tryOpenRecord(row?.sealedSettings ?? new Uint8Array(), key, { ...place, kind: 'sync-settings' }),
  ).not.toBeNull();
  expect(tryOpenRecord(row?.sealedCursor ?? new Uint8Array(), key, { ...place, kind: 'sync-cursor' })).not.toBeNull();
  const pending = await raw.syncPending.toArray();
  expect(pending.length).toBeGreaterThan(0);
  for (const p of pending)
    expect(tryOpenRecord(p.sealed, key, { ...place, kind: 'sync-pending', seq: p.counter })).not.toBeNull();
});
