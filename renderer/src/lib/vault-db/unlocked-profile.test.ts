import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { VaultFailure } from '../../../../shared/crypto/errors';
import type { Result } from '../../../../shared/result';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { RegvaultDb } from './db';
import type { UnlockedProfile } from './unlocked-profile';
import { VaultStore } from './vault-store';
import { valueOf, failureOf } from '../../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
let dbCounter = 0;
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function setup() {
  const dbName = `session-test-${++dbCounter}-${Math.random()}`;
  const make = () => {
    const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf });
    cleanup.push(() => store.close());
    return store;
  };
  const raw = new RegvaultDb(dbName);
  cleanup.push(async () => raw.close());
  const session = valueOf(await make().createProfile('pw'));
  return { make, raw, session, reopen: async () => (await session.lock(), valueOf(await make().unlock('pw'))) };
}

async function errorOf<T>(promise: Promise<Result<T, VaultFailure>>): Promise<VaultFailure> {
  return failureOf(await promise);
}

function flip(bytes: Uint8Array, at = bytes.length - 1): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

async function addEntry(session: UnlockedProfile, vaultId: string, entryId: string, registry: string) {
  const vault = valueOf(await session.openVault(vaultId));
  vault.entries.set(entryId, new Y.Map(Object.entries({ registry, username: `${entryId}-user` })));
  await vault.flush();
}

describe('vaults', () => {
  it('creates, lists by name, renames and deletes', async () => {
    const { session, raw, reopen } = await setup();
    const b = valueOf(await session.createVault('  Beta team '));
    const a = valueOf(await session.createVault('Alpha'));
    expect(b.name).toBe('Beta team');
    expect(valueOf(await session.listVaults()).map((v) => v.name)).toEqual(['Alpha', 'Beta team']);
    valueOf(await session.renameVault(a.id, 'Zulu'));
    await addEntry(session, b.id, 'e1', 'docker.io');
    const next = await reopen();
    expect(valueOf(await next.listVaults()).map((v) => [v.name, v.createdAt])).toEqual([
      ['Beta team', b.createdAt],
      ['Zulu', a.createdAt],
    ]);
    valueOf(await next.deleteVault(b.id));
    expect(valueOf(await next.listVaults()).map((v) => v.id)).toEqual([a.id]);
    expect(await raw.updates.count()).toBe(0);
    expect((await errorOf(next.openVault(b.id))).code).toBe('vault-not-found');
  });

  it('refuses empty and over-long names', async () => {
    const { session } = await setup();
    expect((await errorOf(session.createVault('   '))).code).toBe('invalid-vault-name');
    expect((await errorOf(session.createVault('x'.repeat(201)))).code).toBe('invalid-vault-name');
  });

  it('gives one document per vault while the session lasts, and keeps edits across sessions', async () => {
    const { session, reopen } = await setup();
    const { id } = valueOf(await session.createVault('V'));
    const [first, second] = await Promise.all([session.openVault(id), session.openVault(id)]);
    expect(valueOf(first)).toBe(valueOf(second));
    await addEntry(session, id, 'e1', 'quay.io');
    const next = await reopen();
    expect(valueOf(await next.openVault(id)).entries.toJSON()).toEqual({
      e1: { registry: 'quay.io', username: 'e1-user' },
    });
  });
});

describe('damage is named and isolated', () => {
  it('lists a vault whose name record is damaged, and it still opens; rename repairs it', async () => {
    const { session, raw, reopen } = await setup();
    const good = valueOf(await session.createVault('Good'));
    const bad = valueOf(await session.createVault('Bad'));
    await addEntry(session, bad.id, 'e1', 'ghcr.io');
    const row = await raw.vaults.get(bad.id);
    await raw.vaults.update(bad.id, { sealedMeta: flip(row?.sealedMeta ?? new Uint8Array()) });

    const next = await reopen();
    const list = valueOf(await next.listVaults());
    expect(list.map((v) => v.name)).toEqual(['Good', null]);
    expect(list[1]?.problem).toMatchObject({
      code: 'damaged',
      vaultId: bad.id,
      subject: { what: 'vault-meta', vaultId: bad.id },
    });
    expect(list[1]?.problem?.message).toContain(`name and details of vault ${bad.id}`);
    expect(next.problems).toHaveLength(1);
    expect(
      valueOf(await next.openVault(bad.id))
        .entries.get('e1')
        ?.get('registry'),
    ).toBe('ghcr.io');
    valueOf(await next.renameVault(bad.id, 'Repaired'));
    expect(valueOf(await next.listVaults()).map((v) => v.name)).toEqual([good.name, 'Repaired']);
  });

  it('refuses to open a vault whose key is damaged, naming it, while other vaults open', async () => {
    const { session, raw, reopen } = await setup();
    const good = valueOf(await session.createVault('Good'));
    const bad = valueOf(await session.createVault('Bad'));
    await addEntry(session, good.id, 'g', 'docker.io');
    const row = await raw.vaults.get(bad.id);
    await raw.vaults.update(bad.id, { wrappedKey: flip(row?.wrappedKey ?? new Uint8Array(), 5) });

    const next = await reopen();
    const error = await errorOf(next.openVault(bad.id));
    expect(error.code).toBe('damaged');
    expect(error.subject).toEqual({ what: 'vault-key', vaultId: bad.id });
    expect(error.message).toContain(`the key of vault ${bad.id}`);
    expect(valueOf(await next.listVaults()).find((v) => v.id === bad.id)?.problem?.subject?.what).toBe('vault-key');
    expect(
      valueOf(await next.openVault(good.id))
        .entries.get('g')
        ?.get('registry'),
    ).toBe('docker.io');
  });

  it('refuses a log record moved to another vault', async () => {
    const { session, raw, reopen } = await setup();
    const a = valueOf(await session.createVault('A'));
    const b = valueOf(await session.createVault('B'));
    await addEntry(session, a.id, 'from-a', 'a.example.com');
    await addEntry(session, b.id, 'from-b', 'b.example.com');
    const rowA = await raw.updates.get([a.id, 1]);
    await raw.updates.put({ vaultId: b.id, seq: 2, sealed: rowA?.sealed ?? new Uint8Array() });

    const next = await reopen();
    const vaultB = valueOf(await next.openVault(b.id));
    expect(vaultB.entries.toJSON()).toEqual({ 'from-b': { registry: 'b.example.com', username: 'from-b-user' } });
    expect(vaultB.problems).toEqual([
      expect.objectContaining({ code: 'damaged', subject: { what: 'vault-update', vaultId: b.id, seq: 2 } }),
    ]);
    expect(valueOf(await next.openVault(a.id)).problems).toEqual([]);
  });

  it('refuses a log record moved into the snapshot table (another kind) or to another position', async () => {
    const { session, raw, reopen } = await setup();
    const { id } = valueOf(await session.createVault('V'));
    await addEntry(session, id, 'e1', 'one.example.com');
    await addEntry(session, id, 'e2', 'two.example.com');
    const first = await raw.updates.get([id, 1]);
    const second = await raw.updates.get([id, 2]);
    await raw.snapshots.put({ vaultId: id, seq: 0, sealed: first?.sealed ?? new Uint8Array() });
    await raw.updates.bulkPut([
      { vaultId: id, seq: 1, sealed: second?.sealed ?? new Uint8Array() },
      { vaultId: id, seq: 2, sealed: first?.sealed ?? new Uint8Array() },
    ]);

    const vault = valueOf(await (await reopen()).openVault(id));
    expect(vault.problems.map((p) => p.subject)).toEqual([
      { what: 'vault-snapshot', vaultId: id, seq: 0 },
      { what: 'vault-update', vaultId: id, seq: 1 },
      { what: 'vault-update', vaultId: id, seq: 2 },
    ]);
    expect(vault.entries.size).toBe(0);
  });
});
