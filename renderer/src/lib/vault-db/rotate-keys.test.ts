import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { VaultFailure } from '../../../../shared/crypto/errors';
import type { Result } from '../../../../shared/result';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { unlockProfileKeys, unwrapVaultKey } from '../../../../shared/crypto/profile-keys';
import { tryOpenRecord } from '../../../../shared/crypto/seal';
import { PROFILE_ROW_ID, RegvaultDb, type ProfileRow, type VaultRow } from './db';
import { VaultStore } from './vault-store';
import { failureOf, valueOf } from '../../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void> | void)[] = [];
let dbCounter = 0;

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

function setup() {
  const dbName = `rotate-test-${++dbCounter}-${Math.random()}`;
  const make = () => {
    const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf });
    cleanup.push(() => store.close());
    return store;
  };
  const raw = new RegvaultDb(dbName);
  cleanup.push(() => raw.close());
  return { make, raw };
}

/** A profile with two vaults holding one entry each, as an attacker's copy would capture it. */
async function profileWithVaults(make: () => VaultStore) {
  const session = valueOf(await make().createProfile('old passphrase'));
  const ids: string[] = [];
  for (const name of ['Work', 'Home']) {
    const created = valueOf(await session.createVault(name));
    const vault = valueOf(await session.openVault(created.id));
    vault.entries.set('e1', new Y.Map(Object.entries({ registry: `${name}.example`, username: name })));
    await vault.flush();
    ids.push(created.id);
  }
  return { session, ids };
}

async function copyOf(raw: RegvaultDb): Promise<{ profile: ProfileRow; vaults: VaultRow[] }> {
  const profile = await raw.profile.get(PROFILE_ROW_ID);
  if (!profile) throw new Error('no profile');
  return { profile, vaults: await raw.vaults.toArray() };
}

/** What an attacker gets from an old copy and the old passphrase: the old master key. */
async function masterKeyOf(copy: ProfileRow, passphrase: string): Promise<Uint8Array> {
  const unlocked = await unlockProfileKeys(copy, passphrase, {
    random: nacl.randomBytes,
    target: fastKdf,
    testOnlyKdfFloor: fastKdf,
  });
  return unlocked.keys.masterKey;
}

/** Which records of the stored profile a master key opens (identity keys, settings, each vault key). */
async function openedBy(raw: RegvaultDb, masterKey: Uint8Array): Promise<string[]> {
  const { profile, vaults } = await copyOf(raw);
  const opened: string[] = [];
  if (tryOpenRecord(profile.wrappedIdentity, masterKey, { kind: 'identity-keys' })) opened.push('identity');
  if (tryOpenRecord(profile.sealedSettings, masterKey, { kind: 'settings' })) opened.push('settings');
  for (const row of vaults) {
    const binding = { kind: 'vault-key', vaultId: row.id, epoch: row.epoch } as const;
    if (tryOpenRecord(row.wrappedKey, masterKey, binding)) opened.push(`vault ${row.id}`);
  }
  return opened;
}

async function expectWrongPassphrase(promise: Promise<Result<unknown, VaultFailure>>): Promise<void> {
  expect(failureOf(await promise).code).toBe('wrong-passphrase');
}

describe('change passphrase with key rotation', () => {
  it('a plain change leaves the old master key valid: an old copy opens everything stored after it', async () => {
    const { make, raw } = setup();
    const { session } = await profileWithVaults(make);
    const before = await copyOf(raw);
    expect((await session.changePassphrase('old passphrase', 'new passphrase')).ok).toBe(true);
    const later = valueOf(await session.createVault('Later'));
    const oldKey = await masterKeyOf(before.profile, 'old passphrase');
    // This is what the dialog warns about, and what "also rotate keys" closes.
    expect(await openedBy(raw, oldKey)).toHaveLength(2 + 3);
    expect(await openedBy(raw, oldKey)).toContain(`vault ${later.id}`);
  });

  it('after rotation, an old copy and the old passphrase unwrap nothing stored from then on', async () => {
    const { make, raw } = setup();
    const { session, ids } = await profileWithVaults(make);
    const [work = ''] = ids;
    const identity = session.identity;
    const before = await copyOf(raw);
    expect((await session.changePassphrase('old passphrase', 'new passphrase', true)).ok).toBe(true);
    // The session goes on under the new master key: a vault created now is wrapped under it too.
    const later = valueOf(await session.createVault('Later'));
    valueOf(await session.updateSettings({ autoLockMinutes: 7 }));

    const oldKey = await masterKeyOf(before.profile, 'old passphrase');
    expect(await openedBy(raw, oldKey)).toEqual([]);
    for (const row of await raw.vaults.toArray()) {
      expect(() => unwrapVaultKey(row.wrappedKey, oldKey, row.id, row.epoch)).toThrow();
    }
    // Only the wrapping changed: the vault keys themselves are the ones the old copy held (sync keeps working).
    const newKey = await masterKeyOf((await copyOf(raw)).profile, 'new passphrase');
    expect(await openedBy(raw, newKey)).toHaveLength(2 + 3);
    const now = new Map((await raw.vaults.toArray()).map((row) => [row.id, row.wrappedKey]));
    for (const row of before.vaults) {
      const rewrapped = now.get(row.id) ?? new Uint8Array();
      expect(unwrapVaultKey(row.wrappedKey, oldKey, row.id, row.epoch)).toEqual(
        unwrapVaultKey(rewrapped, newKey, row.id, row.epoch),
      );
    }
    await session.lock();

    await expectWrongPassphrase(make().unlock('old passphrase'));
    const reopened = valueOf(await make().unlock('new passphrase'));
    expect(reopened.identity).toEqual(identity);
    expect(reopened.settings).toEqual({ autoLockMinutes: 7 });
    expect(valueOf(await reopened.listVaults()).map((v) => [v.name, v.problem])).toEqual([
      ['Home', null],
      ['Later', null],
      ['Work', null],
    ]);
    expect(
      valueOf(await reopened.openVault(work))
        .entries.get('e1')
        ?.toJSON(),
    ).toEqual({
      registry: 'Work.example',
      username: 'Work',
    });
    expect(later.id).toBeTruthy();
  });

  it('a rotation that fails midway leaves the old profile whole: it opens with the old passphrase', async () => {
    const { make, raw } = setup();
    const { session, ids } = await profileWithVaults(make);
    const before = await copyOf(raw);
    // Simulate a crash while the second vault key is written: the store refuses the write after the profile
    // row and the first vault row are already in the transaction.
    const put = IDBObjectStore.prototype.put;
    let vaultWrites = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'vaults' && ++vaultWrites === 2) throw new DOMException('disk gone', 'UnknownError');
      return put.apply(this, args);
    };
    cleanup.push(() => void (IDBObjectStore.prototype.put = put));
    const failed = await session.changePassphrase('old passphrase', 'new passphrase', true);
    expect(!failed.ok && failed.error.code).toBe('write-failed');
    IDBObjectStore.prototype.put = put;
    expect(vaultWrites).toBe(2);

    expect(await copyOf(raw)).toEqual(before);
    await session.lock();
    await expectWrongPassphrase(make().unlock('new passphrase'));
    const reopened = valueOf(await make().unlock('old passphrase'));
    expect(valueOf(await reopened.listVaults()).every((v) => v.problem === null)).toBe(true);
    for (const id of ids) expect(valueOf(await reopened.openVault(id)).entries.size).toBe(1);
  });

  it('refuses a wrong current passphrase and changes nothing', async () => {
    const { make, raw } = setup();
    const { session } = await profileWithVaults(make);
    const before = await copyOf(raw);
    const refused = await session.changePassphrase('not it', 'new passphrase', true);
    expect(!refused.ok && refused.error).toMatchObject({ code: 'wrong-passphrase', number: 101 });
    expect(await copyOf(raw)).toEqual(before);
  });
});
