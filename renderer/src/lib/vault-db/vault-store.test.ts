import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { VaultFailure } from '../../../../shared/crypto/errors';
import type { Result } from '../../../../shared/result';
import { KDF_FLOOR, type KdfCost } from '../../../../shared/crypto/kdf';
import { PROFILE_ROW_ID, RegvaultDb } from './db';
import { VaultStore, type VaultStoreOptions } from './vault-store';
import { valueOf, failureOf } from '../../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
let dbCounter = 0;
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

function setup(options: VaultStoreOptions = {}) {
  const dbName = `store-test-${++dbCounter}-${Math.random()}`;
  const clock = { now: 1_700_000_000_000 };
  const make = (extra: VaultStoreOptions = {}) => {
    const store = new VaultStore({
      dbName,
      calibrate: false,
      testOnlyKdfFloor: fastKdf,
      now: () => clock.now,
      ...options,
      ...extra,
    });
    cleanup.push(() => store.close());
    return store;
  };
  const raw = new RegvaultDb(dbName);
  cleanup.push(async () => raw.close());
  return { dbName, clock, make, raw };
}

async function errorOf<T>(promise: Promise<Result<T, VaultFailure>>): Promise<VaultFailure> {
  return failureOf(await promise);
}

describe('VaultStore profile', () => {
  it('creates a profile once and unlocks it', async () => {
    const { make } = setup();
    const store = make();
    expect(await store.hasProfile()).toBe(false);
    expect((await errorOf(store.unlock('pw'))).code).toBe('no-profile');
    expect((await errorOf(store.createProfile(''))).code).toBe('empty-passphrase');
    const session = valueOf(await store.createProfile('pw'));
    expect(await store.hasProfile()).toBe(true);
    expect(session.settings).toEqual({ autoLockMinutes: 10 });
    expect((await errorOf(store.createProfile('pw2'))).code).toBe('profile-exists');
    const again = valueOf(await make().unlock('pw'));
    expect(again.identity.signing).toEqual(session.identity.signing);
  });

  it('uses the real default KDF parameters (64 MiB, t=3, p=1) when nothing is overridden', async () => {
    const { make, raw } = setup({ testOnlyKdfFloor: undefined });
    valueOf(await make().createProfile('a real passphrase'));
    const row = await raw.profile.get(PROFILE_ROW_ID);
    expect(row?.kdf).toMatchObject({ algorithm: 'argon2id', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(row?.kdf.salt).toHaveLength(16);
    const session = valueOf(await make().unlock('a real passphrase'));
    expect(session.locked).toBe(false);
    expect((await errorOf(make().unlock('a real passphrasf'))).code).toBe('wrong-passphrase');
  });

  it('calibrates the KDF once, at creation, through the injected measure', async () => {
    const measured: KdfCost[] = [];
    const { make, raw } = setup({
      calibrate: async (cost) => {
        measured.push(cost);
        return ((cost.memoryKiB * cost.iterations) / (64 * 1)) * 100; // 100 ms at the test floor
      },
    });
    valueOf(await make().createProfile('pw'));
    const row = await raw.profile.get(PROFILE_ROW_ID);
    expect(measured[0]).toEqual(fastKdf);
    expect(row?.kdf.memoryKiB).toBeGreaterThan(fastKdf.memoryKiB);
    expect(measured.length).toBeGreaterThanOrEqual(2);
    const count = measured.length;
    valueOf(await make().unlock('pw'));
    expect(measured).toHaveLength(count);
  });

  it('refuses a profile whose stored KDF parameters were weakened, even with the right passphrase', async () => {
    const { make, raw } = setup({ testOnlyKdfFloor: undefined, kdfTarget: KDF_FLOOR });
    valueOf(await make().createProfile('pw'));
    const row = await raw.profile.get(PROFILE_ROW_ID);
    if (!row) throw new Error('no row');
    await raw.profile.update(PROFILE_ROW_ID, { kdf: { ...row.kdf, memoryKiB: 1024 } });
    const error = await errorOf(make().unlock('pw'));
    expect(error.code).toBe('weak-kdf-params');
    expect(error.number).toBe(201);
  });

  it('upgrades stored KDF parameters below the current target on unlock', async () => {
    const { make, raw } = setup();
    valueOf(await make().createProfile('pw'));
    const before = await raw.profile.get(PROFILE_ROW_ID);
    const target: KdfCost = { memoryKiB: 256, iterations: 2, parallelism: 1 };
    const session = valueOf(await make({ kdfTarget: target }).unlock('pw'));
    const vault = valueOf(await session.createVault('After upgrade'));
    await session.lock();
    const after = await raw.profile.get(PROFILE_ROW_ID);
    expect(before?.kdf).toMatchObject(fastKdf);
    expect(after?.kdf).toMatchObject(target);
    expect(after?.wrappedIdentity).toEqual(before?.wrappedIdentity);
    const reopened = valueOf(await make({ kdfTarget: target }).unlock('pw'));
    expect(valueOf(await reopened.listVaults()).map((v) => v.id)).toEqual([vault.id]);
    expect((await raw.profile.get(PROFILE_ROW_ID))?.wrappedMasterKey).toEqual(after?.wrappedMasterKey);
  });
});

describe('wrong passphrase and back-off', () => {
  it('changes nothing but the failure counter on a wrong passphrase', async () => {
    const { make, raw } = setup();
    valueOf(await make().createProfile('pw'));
    const before = await raw.profile.get(PROFILE_ROW_ID);
    const error = await errorOf(make().unlock('pW'));
    expect(error.code).toBe('wrong-passphrase');
    expect(error.message).toMatch(/Wrong passphrase/);
    const after = await raw.profile.get(PROFILE_ROW_ID);
    expect(after).toEqual({ ...before, failedUnlocks: 1 });
  });

  it('waits 1 s after three failures, doubling to a 30 s cap, surviving a reload, reset by success', async () => {
    const { make, clock } = setup();
    valueOf(await make().createProfile('pw'));
    let store = make();
    expect((await errorOf(store.unlock('x'))).retryAfterMs).toBeUndefined();
    expect((await errorOf(store.unlock('x'))).retryAfterMs).toBeUndefined();
    const third = await errorOf(store.unlock('x'));
    expect(third.code).toBe('wrong-passphrase');
    expect(third.retryAfterMs).toBe(1000);
    expect(await store.unlockDelay()).toBe(1000);

    store = make(); // a reload keeps the wait
    const refused = await errorOf(store.unlock('pw'));
    expect(refused.code).toBe('unlock-throttled');
    expect(refused.retryAfterMs).toBe(1000);

    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      clock.now += 60_000;
      waits.push((await errorOf(store.unlock('x'))).retryAfterMs);
    }
    expect(waits).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);

    clock.now += 29_000;
    expect(await store.unlockDelay()).toBe(1000);
    clock.now += 1000;
    const session = valueOf(await store.unlock('pw'));
    expect(session.locked).toBe(false);
    expect((await errorOf(make().unlock('x'))).retryAfterMs).toBeUndefined();
  });

  it('never makes anyone wait longer than the cap, even when the clock was set back', async () => {
    const { make, raw, clock } = setup();
    valueOf(await make().createProfile('pw'));
    await raw.profile.update(PROFILE_ROW_ID, { failedUnlocks: 5, retryAfter: clock.now + 10 * 86_400_000 });
    expect(await make().unlockDelay()).toBe(30_000);
  });
});

describe('session lifecycle', () => {
  it('changes the passphrase: the old one fails, the new one works, data intact', async () => {
    const { make } = setup();
    const session = valueOf(await make().createProfile('old passphrase'));
    const created = valueOf(await session.createVault('Work'));
    const vault = valueOf(await session.openVault(created.id));
    vault.entries.set('e1', new Y.Map(Object.entries({ registry: 'ghcr.io', username: 'octo' })));
    await vault.flush();
    const refused = await session.changePassphrase('not the old one', 'new passphrase');
    expect(!refused.ok && refused.error.code).toBe('wrong-passphrase');
    expect((await session.changePassphrase('old passphrase', 'new passphrase')).ok).toBe(true);
    await session.lock();

    expect((await errorOf(make().unlock('old passphrase'))).code).toBe('wrong-passphrase');
    const reopened = valueOf(await make().unlock('new passphrase'));
    expect(valueOf(await reopened.listVaults())).toEqual([
      { id: created.id, name: 'Work', createdAt: created.createdAt, problem: null },
    ]);
    const doc = valueOf(await reopened.openVault(created.id));
    expect(doc.entries.get('e1')?.toJSON()).toEqual({ registry: 'ghcr.io', username: 'octo' });
  });

  it('lock wipes the keys, destroys the documents and refuses further use', async () => {
    // Every 32-byte array the store draws is key material (master key, identity seeds, vault keys).
    const keyArrays: Uint8Array[] = [];
    const random = (n: number) => {
      const bytes = nacl.randomBytes(n);
      if (n === 32) keyArrays.push(bytes);
      return bytes;
    };
    const { make } = setup({ random });
    const session = valueOf(await make().createProfile('pw'));
    const { id } = valueOf(await session.createVault('V'));
    const vault = valueOf(await session.openVault(id));
    let destroyed = false;
    vault.doc.on('destroy', () => (destroyed = true));
    vault.entries.set('e', new Y.Map([['secret', 's3cret']]));
    // Drawn: master key, two identity seeds (wiped at once after use), vault key.
    expect(keyArrays).toHaveLength(4);
    expect(keyArrays.map((key) => key.some((b) => b !== 0))).toEqual([true, false, false, true]);
    await session.lock();
    expect(keyArrays.every((key) => key.every((b) => b === 0))).toBe(true);
    expect(session.locked).toBe(true);
    expect(destroyed).toBe(true);
    expect(vault.isClosed).toBe(true);
    expect((await errorOf(session.listVaults())).code).toBe('locked');
    expect((await errorOf(session.openVault(id))).code).toBe('locked');
    expect(() => session.identity).toThrow(expect.objectContaining({ code: 'locked' }));
    await session.lock(); // a second lock is harmless
  });

  it('keeps settings sealed and across sessions, and validates them', async () => {
    const { make, raw } = setup();
    const session = valueOf(await make().createProfile('pw'));
    valueOf(await session.updateSettings({ autoLockMinutes: 5 }));
    expect((await errorOf(session.updateSettings({ autoLockMinutes: 0 }))).code).toBe('invalid-settings');
    expect(session.settings).toEqual({ autoLockMinutes: 5 });
    await session.lock();
    expect(valueOf(await make().unlock('pw')).settings).toEqual({ autoLockMinutes: 5 });

    const row = await raw.profile.get(PROFILE_ROW_ID);
    const sealedSettings = row?.sealedSettings.slice() ?? new Uint8Array();
    sealedSettings[sealedSettings.length - 1] = (sealedSettings[sealedSettings.length - 1] ?? 0) ^ 1;
    await raw.profile.update(PROFILE_ROW_ID, { sealedSettings });
    const damaged = valueOf(await make().unlock('pw'));
    expect(damaged.settings).toEqual({ autoLockMinutes: 10 });
    expect(damaged.problems.map((p) => [p.code, p.subject?.what])).toEqual([['damaged', 'profile-settings']]);
  });
});
