// Reuse is compared by keyed digests held in memory only: neither the secret nor any digest of it reaches IndexedDB
// or a vault's document. The detector is shown to find both when they are there (positive control).
import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { valueOf } from '../../../../shared/test-result';
import { dumpDatabase, findLeaks } from '../../../../tests/support/indexeddb-dump';
import { refreshProfile } from '../../../../tests/support/refresh-profile';
import { VaultView } from '../vault-view.svelte';
import { EntryInsights } from './entry-insights.svelte';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const shared = 'glpat-shared-between-prod-and-staging';

/** Every encoding of a digest the store could hold: base64, base64url, hex and the raw bytes as text. */
function digestForms(bytes: Uint8Array): string[] {
  const base64 = btoa(String.fromCharCode(...bytes));
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return [
    base64,
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    hex,
    String.fromCharCode(...bytes),
  ];
}

it('finds a secret reused across two vaults, and neither the secret nor a digest is stored or synced', async () => {
  const made = await refreshProfile(['Prod', 'Staging'], cleanups);
  const { profile, view, refresh, vaultIds } = made;
  const [prod = '', staging = ''] = vaultIds;
  const add = async (vaultId: string, registry: string) => {
    const other = new VaultView(profile);
    await other.refreshVaults();
    await other.switchTo(vaultId);
    valueOf(other.add({ registry, username: 'ci', secret: shared, name: registry }));
    other.close();
  };
  await add(prod, 'registry.prod.example.com');
  await add(staging, 'registry.staging.example.com');
  const insights = new EntryInsights(
    profile,
    () => refresh.vaults.all,
    () => view.vaults,
  );
  cleanups.push(refresh.start(), insights.start());
  flushSync();
  await expect.poll(() => refresh.vaults.all.length).toBe(2);
  await insights.reuse.compare();
  const [prodEntry] = refresh.vaults.all.find((v) => v.vaultId === prod)?.entries ?? [];
  expect(prodEntry).toBeDefined();
  // Positive control: the comparison found the reuse, so digests existed in this session.
  expect(insights.reuse.of(prod, prodEntry?.id ?? '')).toEqual({ otherVaults: [staging], sameLoginRegistries: [] });

  // Every digest the session could have made of the secret: under its own key we cannot read (not extractable), so
  // also a plain SHA-256 and the digest the comparison itself returns through its cache.
  const cached = insights.reuse.digests.held();
  expect(cached.length).toBe(2);
  const forms = cached.flatMap((digest) => digestForms(Uint8Array.from(atob(digest), (c) => c.charCodeAt(0))));
  const sha = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(shared)));
  const needles = [...new Set([shared, ...forms, ...digestForms(sha)])];

  for (const vault of refresh.vaults.all) {
    const doc = valueOf(await profile.openVault(vault.vaultId)).doc;
    const update = Y.encodeStateAsUpdate(doc);
    // The document holds the secret (it is the vault's content, sealed on disk) but no digest of it.
    expect(findLeaks({ update }, [shared])).toEqual([shared]);
    expect(findLeaks({ update, json: JSON.stringify(doc.toJSON()) }, needles.slice(1))).toEqual([]);
  }
  const dump = await dumpDatabase(made.dbName);
  expect(findLeaks(dump, needles)).toEqual([]);
  // The detector does see a digest where one is written (positive control on the dump's shape).
  expect(findLeaks({ ...dump, planted: [{ value: forms[0] }] }, needles)).toEqual([forms[0]]);
});
