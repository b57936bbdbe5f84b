// The renderer's answers to docker-credential-regvault, on a real profile and vault (Dexie under
// fake-indexeddb): only entries served on this device, never another vault's entry, "locked" once locked,
// store into the chosen vault only, erase keeps the entry, and the serving choice is sealed in the profile,
// never in the synced vault document.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { addEntry, findEntriesByRegistry, getEntry } from '../../../../shared/entries';
import { readActivity } from '../../../../shared/entries/activity';
import type { EventPayload } from '../../../../shared/ipc/contract';
import { valueOf } from '../../../../shared/test-result';
import { RegvaultDb } from '../vault-db/db';
import type { UnlockedProfile } from '../vault-db';
import { VaultStore } from '../vault-db/vault-store';
import { DockerServing } from './docker-serving.svelte';
import { describeHelperRequest, HelperActivity } from './helper-activity.svelte';
import { answerHelperQuestion, NO_STORE_VAULT_MESSAGE } from './helper-responder';
import { describeReadOnlyStoreVault, storeVaultChoices } from './store-vault-choice';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const ctx = { now: () => 1_000, newId: () => crypto.randomUUID(), actor: 'test' };
const cleanup: (() => Promise<void>)[] = [];
let counter = 0;

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function setup() {
  const dbName = `helper-responder-${++counter}-${Math.random()}`;
  const make = () => {
    const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf });
    cleanup.push(() => store.close());
    return store;
  };
  let session: UnlockedProfile | null = valueOf(await make().createProfile('pw'));
  const work = valueOf(await session.createVault('Work'));
  const other = valueOf(await session.createVault('Other'));
  const workDoc = valueOf(await session.openVault(work.id)).doc;
  const otherDoc = valueOf(await session.openVault(other.id)).doc;
  const ci = valueOf(addEntry(workDoc, { registry: 'ghcr.io', username: 'ci', secret: 's3cret' }, ctx));
  valueOf(addEntry(otherDoc, { registry: 'quay.io', username: 'q', secret: 'q-secret' }, ctx));
  const serving = new DockerServing(() => session);
  const activity = new HelperActivity();
  const readOnly = new Set<string>();
  const deps = {
    session: () => session,
    serving,
    activity,
    mayWrite: (id: string) => !readOnly.has(id),
    now: () => 42,
  };
  const ask = (question: Omit<EventPayload<'helper:request'>, 'id'>) =>
    answerHelperQuestion({ id: 'q', ...question }, deps);
  return {
    ask,
    serving,
    activity,
    readOnly,
    me: () => encodeBase64(session?.identity.signing ?? new Uint8Array()),
    work,
    other,
    ci,
    workDoc,
    make,
    lock: async () => {
      await session?.lock();
      session = null;
    },
    reopen: async () => {
      await session?.lock();
      session = valueOf(await make().unlock('pw'));
      return session;
    },
    raw: () => new RegvaultDb(dbName),
  };
}

describe('answering docker-credential-regvault', () => {
  it('serves only entries switched on, on this device, and records each request without the secret', async () => {
    const t = await setup();
    expect(await t.ask({ action: 'get', registry: 'ghcr.io' })).toEqual({ kind: 'not-found' });
    valueOf(await t.serving.setServed(t.work.id, t.ci.id, true));
    expect(await t.ask({ action: 'get', registry: 'ghcr.io' })).toEqual({
      kind: 'credential',
      username: 'ci',
      secret: 's3cret',
    });
    // Another vault's entry for another registry is not served just because one entry is.
    expect(await t.ask({ action: 'get', registry: 'quay.io' })).toEqual({ kind: 'not-found' });
    expect(await t.ask({ action: 'list' })).toEqual({ kind: 'list', items: [{ registry: 'ghcr.io', username: 'ci' }] });
    expect(t.activity.records.map((r) => [r.action, r.registry, r.vaultId, r.outcome])).toEqual([
      ['list', null, null, 'listed'],
      ['get', 'quay.io', null, 'not-served'],
      ['get', 'ghcr.io', t.work.id, 'served'],
      ['get', 'ghcr.io', null, 'not-served'],
    ]);
    expect(t.activity.forVault(t.work.id)).toHaveLength(1);
    expect(t.activity.forVault(t.work.id).map((r) => describeHelperRequest(r, (key) => key))).toEqual([
      { text: 'Docker got the ghcr.io login from this device', at: 42 },
    ]);
    expect(JSON.stringify(t.activity.records)).not.toContain('s3cret');
  });

  it('answers "locked" once the session is locked', async () => {
    const t = await setup();
    valueOf(await t.serving.setServed(t.work.id, t.ci.id, true));
    await t.lock();
    expect(await t.ask({ action: 'get', registry: 'ghcr.io' })).toEqual({ kind: 'locked' });
    expect(t.activity.records[0]).toMatchObject({ outcome: 'locked', vaultId: null });
  });

  it('keeps the serving choice sealed in the profile: it survives a relock and is not in the vault document', async () => {
    const t = await setup();
    valueOf(await t.serving.setServed(t.work.id, t.ci.id, true));
    const session = await t.reopen();
    expect(session.settings.dockerServe).toEqual([{ vaultId: t.work.id, entryId: t.ci.id }]);
    expect(await t.ask({ action: 'get', registry: 'ghcr.io' })).toMatchObject({ kind: 'credential' });
    const doc = valueOf(await session.openVault(t.work.id)).doc;
    expect(JSON.stringify(doc.toJSON())).not.toMatch(/dockerServe|served/i);
    // Nothing about it is stored in the clear: the profile row's settings are ciphertext.
    const raw = t.raw();
    const text = JSON.stringify(await raw.profile.toArray());
    raw.close();
    expect(text).not.toContain(t.ci.id);
  });

  it('store goes into the chosen vault only (refused before), and erase stops serving but keeps the entry', async () => {
    const t = await setup();
    const login = { action: 'store' as const, registry: 'ghcr.io', username: 'bot', secret: 'rotated' };
    expect(await t.ask(login)).toEqual({ kind: 'refused', message: NO_STORE_VAULT_MESSAGE });
    valueOf(await t.serving.setStoreVault(t.work.id));
    expect(await t.ask(login)).toEqual({ kind: 'done' });
    // The existing ghcr.io entry got the new login (one entry per registry per vault) and is served.
    expect(valueOf(getEntry(t.workDoc, t.ci.id))).toMatchObject({ username: 'bot', secret: 'rotated' });
    expect(t.serving.isServed(t.ci.id)).toBe(true);
    // Written as this device, like any edit here: its key is the author, in the entry and in Activity.
    expect(valueOf(getEntry(t.workDoc, t.ci.id)).updatedBy).toBe(t.me());
    expect(readActivity(t.workDoc).find((item) => item.action === 'rotated')).toMatchObject({ by: t.me() });
    const added = { action: 'store' as const, registry: 'registry.example.com', username: 'new', secret: 'n' };
    expect(await t.ask(added)).toEqual({ kind: 'done' });
    const [fresh] = findEntriesByRegistry(t.workDoc, 'registry.example.com');
    expect(valueOf(getEntry(t.workDoc, fresh ?? ''))).toMatchObject({ createdBy: t.me(), updatedBy: t.me() });
    expect(readActivity(t.workDoc).find((item) => item.action === 'added' && item.by === t.me())).toBeDefined();
    expect(await t.ask({ action: 'erase', registry: 'ghcr.io' })).toEqual({ kind: 'done' });
    expect(t.serving.isServed(t.ci.id)).toBe(false);
    expect(valueOf(getEntry(t.workDoc, t.ci.id)).registry).toBe('ghcr.io');
    expect(await t.ask({ action: 'erase', registry: 'ghcr.io' })).toEqual({ kind: 'not-found' });
  });

  it('store into a vault this device may only read is refused with what to do, and writes nothing', async () => {
    const t = await setup();
    valueOf(await t.serving.setStoreVault(t.work.id));
    t.readOnly.add(t.work.id);
    const before = readActivity(t.workDoc).length;
    const answer = await t.ask({ action: 'store', registry: 'quay.io', username: 'v', secret: 'x' });
    expect(answer).toEqual({ kind: 'refused', message: describeReadOnlyStoreVault('Work') });
    expect(findEntriesByRegistry(t.workDoc, 'quay.io')).toEqual([]);
    expect(readActivity(t.workDoc)).toHaveLength(before);
    expect(t.activity.records[0]).toMatchObject({ action: 'store', outcome: 'refused', vaultId: t.work.id });
  });

  it('Settings offers only vaults this device may write; a stored choice that became read-only is named as such', async () => {
    const t = await setup();
    const session = await t.reopen();
    const vaults = valueOf(await session.listVaults());
    t.readOnly.add(t.other.id);
    const mayWrite = (id: string) => !t.readOnly.has(id);
    expect(storeVaultChoices(vaults, undefined, mayWrite)).toEqual({
      offered: vaults.filter((v) => v.id === t.work.id),
      readOnly: null,
    });
    const chosenThenLowered = storeVaultChoices(vaults, t.other.id, mayWrite);
    expect(chosenThenLowered.offered.map((v) => v.name)).toEqual(['Work']);
    expect(chosenThenLowered.readOnly?.name).toBe('Other');
  });

  it('two switches flipped at once both stick (changes are saved one after the other)', async () => {
    const t = await setup();
    const quay = valueOf(addEntry(t.workDoc, { registry: 'quay.io', username: 'q2', secret: 'x' }, ctx));
    await Promise.all([t.serving.setServed(t.work.id, t.ci.id, true), t.serving.setServed(t.work.id, quay.id, true)]);
    expect(t.serving.served.map((s) => s.entryId).sort()).toEqual([t.ci.id, quay.id].sort());
  });
});
