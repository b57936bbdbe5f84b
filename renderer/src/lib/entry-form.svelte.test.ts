// EntryFormState as the Add/Edit dialog drives it, compiled as runes, saving into a real VaultView.
import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { REGISTRY_IMMUTABLE_MESSAGE } from '../../../shared/entries';
import { EntryFormState } from './entry-form.svelte';
import { VaultStore } from './vault-db';
import { VaultView } from './vault-view.svelte';
import { valueOf } from '../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function openView(): Promise<VaultView> {
  const store = new VaultStore({ dbName: `form-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanup.push(() => store.close());
  const profile = valueOf(await store.createProfile('correct horse battery staple'));
  valueOf(await profile.createVault('Personal'));
  const view = new VaultView(profile);
  await view.load();
  return view;
}

it('the preset follows the typed URL until one is picked, and the hints follow the preset', () => {
  const form = new EntryFormState();
  form.typeRegistry('ghcr.io');
  flushSync();
  expect(form.fields.presetId).toBe('ghcr');
  expect(form.preset.id).toBe('ghcr');
  form.choosePreset('private');
  form.typeRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com');
  flushSync();
  expect(form.fields.presetId).toBe('private');
});

it('a refused save shows the field errors as data; a good one saves; one entry per registry URL', async () => {
  const view = await openView();
  const form = new EntryFormState();
  form.typeRegistry('registry.example.com:5000');
  expect(form.submit(view)).toBe(false);
  expect(Object.keys(form.errors)).toContain('username');
  form.typeUsername('ci');
  form.fields.secret = 'token';
  expect(form.submit(view)).toBe(true);
  expect(form.errors).toEqual({});
  flushSync();
  expect(view.list.entries.map((e) => e.registry)).toEqual(['registry.example.com:5000']);

  const again = new EntryFormState();
  again.typeRegistry('registry.example.com:5000');
  again.typeUsername('other');
  again.fields.secret = 'x';
  expect(again.submit(view)).toBe(false);
  expect(again.errors.registry).toMatch(/already has an entry/);
});

it('editing keeps the URL fixed and a blank password keeps the stored one', async () => {
  const view = await openView();
  view.add({ registry: 'quay.io', username: 'org+bot', secret: 'first' });
  flushSync();
  const [entry] = view.list.entries;
  if (!entry) throw new Error('no entry');
  const form = new EntryFormState(entry);
  // The field is read-only in the dialog; even changed, the form never sends it (the model would refuse).
  form.fields.registry = 'other.example.com';
  form.fields.notes = 'rotated monthly';
  expect(form.submit(view)).toBe(true);
  flushSync();
  expect(view.byId(entry.id)).toMatchObject({ registry: 'quay.io', secret: 'first', notes: 'rotated monthly' });
  expect(view.edit(entry.id, { registry: 'other.example.com' })).toMatchObject({
    ok: false,
    error: { message: REGISTRY_IMMUTABLE_MESSAGE },
  });
});
