// VaultView, the one owner of the open vault, as the screens use it: compiled as runes (vitest
// project "runes"), over a real store on fake-indexeddb, with remote edits arriving as Yjs updates.
import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { addEntry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import { ok } from '../../../shared/result';
import { valueOf } from '../../../shared/test-result';
import { VaultStore, type UnlockedProfile } from './vault-db';
import { VaultView } from './vault-view.svelte';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function unlocked(): Promise<UnlockedProfile> {
  const store = new VaultStore({ dbName: `view-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanup.push(() => store.close());
  const profile = valueOf(await store.createProfile('correct horse battery staple'));
  valueOf(await profile.createVault('Personal'));
  return profile;
}

it('opens the first vault, follows local and remote edits, and searches them', async () => {
  const profile = await unlocked();
  const view = new VaultView(profile);
  await view.load();
  expect(view.current?.name).toBe('Personal');
  expect(view.add({ registry: 'ghcr.io', name: 'GitHub', username: 'octo', secret: 's' }).ok).toBe(true);
  flushSync();
  expect(view.visible.map((e) => e.name)).toEqual(['GitHub']);

  // A remote peer's edit, applied as sync applies it: the list and the search follow.
  const open = valueOf(await profile.openVault(view.currentId ?? ''));
  const remote = new Y.Doc();
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(open.doc));
  const before = Y.encodeStateVector(remote);
  addEntry(
    remote,
    { registry: 'quay.io', name: 'Quay robot', username: 'org+bot', secret: 't' },
    createManualContext('bob'),
  );
  Y.applyUpdate(open.doc, Y.encodeStateAsUpdate(remote, before), 'remote');
  flushSync();
  expect(view.list.entries.map((e) => e.name)).toEqual(['GitHub', 'Quay robot']);
  view.query = 'robot';
  flushSync();
  expect(view.visible.map((e) => e.name)).toEqual(['Quay robot']);
});

it('deleting a vault stops its sync first, then opens the next one', async () => {
  const profile = await unlocked();
  const forgotten: string[] = [];
  const view = new VaultView(profile, { forget: async (id) => void forgotten.push(id) });
  await view.load();
  const first = view.currentId ?? '';
  expect(await view.createVault('Team')).toEqual(ok(undefined));
  expect(await view.deleteVault(first)).toEqual(ok(undefined));
  expect(forgotten).toEqual([first]);
  expect(view.vaults.map((v) => v.name)).toEqual(['Team']);
  expect(view.current?.name).toBe('Team');
});

it('closing (as lock does) drops the entries, the search and the revealed secrets', async () => {
  const profile = await unlocked();
  const view = new VaultView(profile);
  await view.load();
  view.add({ registry: 'ghcr.io', username: 'octo', secret: 's' });
  view.query = 'ghcr';
  flushSync();
  expect(view.visible).toHaveLength(1);
  view.close();
  flushSync();
  expect(view.list.entries).toEqual([]);
  expect(view.visible).toEqual([]);
});
