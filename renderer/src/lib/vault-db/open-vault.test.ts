import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { logRange, RegvaultDb } from './db';
import { OpenVault } from './open-vault';
import type { StoreProblem } from './problems';

const cleanup: (() => Promise<void> | void)[] = [];
let dbCounter = 0;

afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

function setup(compactEvery = 10) {
  const db = new RegvaultDb(`open-vault-test-${++dbCounter}-${Math.random()}`);
  cleanup.push(() => db.close());
  const vaultKey = nacl.randomBytes(32);
  const reported: StoreProblem[] = [];
  let repairs = 0;
  const load = async () => {
    const vault = await OpenVault.load({
      db,
      vaultId: 'vault-1',
      epoch: 0,
      vaultKey,
      random: nacl.randomBytes,
      compactEvery,
      report: (p) => reported.push(p),
      repaired: () => repairs++,
      deviceKey: new Uint8Array(32).fill(7),
    });
    cleanup.push(() => vault.close());
    return vault;
  };
  return { db, load, reported, repairs: () => repairs };
}

// One edit = one Yjs transaction = one update.
function edit(vault: OpenVault, i: number): void {
  vault.doc.transact(() => {
    const fields = new Y.Map<unknown>();
    fields.set('registry', `registry-${i}.example.com:5000`);
    fields.set('username', `user-${i}`);
    vault.entries.set(`entry-${i % 7}`, fields);
    if (i % 3 === 0) vault.entries.delete(`entry-${(i + 3) % 7}`);
  });
}

function flip(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x80;
  return copy;
}

describe('OpenVault log and compaction', () => {
  it('appends one sealed log row per update, in order', async () => {
    const { db, load } = setup(100);
    const vault = await load();
    for (let i = 0; i < 5; i++) edit(vault, i);
    await vault.flush();
    expect((await db.updates.toArray()).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(vault.pendingLogLength).toBe(5);
  });

  it('folds the log into a snapshot every N updates: same data, shorter log', async () => {
    const { db, load } = setup(10);
    const vault = await load();
    for (let i = 0; i < 25; i++) edit(vault, i);
    await vault.flush();
    const expected = vault.entries.toJSON();
    const snapshot = await db.snapshots.get('vault-1');
    expect(snapshot?.seq).toBe(20);
    expect((await db.updates.toArray()).map((r) => r.seq)).toEqual([21, 22, 23, 24, 25]);
    await vault.close();

    const reloaded = await load();
    expect(reloaded.entries.toJSON()).toEqual(expected);
    expect(reloaded.problems).toEqual([]);
    edit(reloaded, 100);
    await reloaded.flush();
    expect((await db.updates.toArray()).at(-1)?.seq).toBe(26);
  });

  it('loses nothing when the page dies in the middle of a compaction', async () => {
    const { db, load } = setup(5);
    const vault = await load();
    for (let i = 0; i < 4; i++) edit(vault, i);
    await vault.flush();
    const expected = vault.entries.toJSON();
    // The delete of the covered log rows fails inside the compaction transaction, as if the page died.
    const crash = () => {
      throw new Error('page died');
    };
    db.updates.hook('deleting', crash);
    edit(vault, 4);
    expect(vault.entries.toJSON()).not.toEqual(expected);
    const withFifth = vault.entries.toJSON();
    await expect(vault.flush()).rejects.toMatchObject({ code: 'write-failed' });
    db.updates.hook('deleting').unsubscribe(crash);
    expect(await db.snapshots.count()).toBe(0);
    expect(await db.updates.count()).toBe(5);
    await vault.close();
    expect((await load()).entries.toJSON()).toEqual(withFifth);
  });

  it('compacts on request and after a reload counts the log rows it found', async () => {
    const { db, load } = setup(10);
    const vault = await load();
    for (let i = 0; i < 6; i++) edit(vault, i);
    await vault.close();
    const reloaded = await load();
    expect(reloaded.pendingLogLength).toBe(6);
    for (let i = 6; i < 10; i++) edit(reloaded, i);
    await reloaded.flush();
    expect(await db.updates.count()).toBe(0);
    expect((await db.snapshots.get('vault-1'))?.seq).toBe(10);
    edit(reloaded, 10);
    expect(await reloaded.compact()).toBe(true);
    expect(await db.updates.count()).toBe(0);
    expect((await db.snapshots.get('vault-1'))?.seq).toBe(11);
  });
});

describe('OpenVault damaged records', () => {
  it('skips a damaged log row, names it, applies independent ones, keeps dependent ones held', async () => {
    const { db, load, reported, repairs } = setup(6);
    const put = (vault: OpenVault, id: string) => vault.entries.set(id, new Y.Map([['registry', `${id}.example.com`]]));
    // Three sessions (three Yjs client ids): #1 e0, #2 e1, #3 e1b (same client as e1: builds on #2), #4 e2.
    const first = await load();
    put(first, 'e0');
    await first.close();
    const second = await load();
    put(second, 'e1');
    put(second, 'e1b');
    await second.close();
    const third = await load();
    put(third, 'e2');
    await third.close();
    const row = await db.updates.get(['vault-1', 2]);
    await db.updates.put({ vaultId: 'vault-1', seq: 2, sealed: flip(row?.sealed ?? new Uint8Array()) });

    const reloaded = await load();
    expect(Object.keys(reloaded.entries.toJSON()).sort()).toEqual(['e0', 'e2']);
    expect(reloaded.hasHeldChanges).toBe(true);
    expect(reloaded.problems).toEqual([
      expect.objectContaining({
        code: 'damaged',
        vaultId: 'vault-1',
        subject: { what: 'vault-update', vaultId: 'vault-1', seq: 2 },
      }),
    ]);
    expect(reported).toEqual(reloaded.problems);
    expect(reloaded.problems[0]?.message).toContain('change #2 of vault vault-1');

    // Compaction is held back so the damaged row stays for recovery…
    for (const id of ['e3', 'e4', 'e5']) put(reloaded, id);
    await reloaded.flush();
    expect(await db.snapshots.count()).toBe(0);
    expect(await reloaded.compact()).toBe(false);
    expect(await db.updates.count()).toBe(7);

    // …until the user accepts the loss.
    expect(await reloaded.compact({ discardDamaged: true })).toBe(true);
    expect(repairs()).toBe(1);
    expect(reloaded.problems).toEqual([]);
    expect(await db.updates.count()).toBe(0);
    await reloaded.close();
    const repaired = await load();
    expect(repaired.problems).toEqual([]);
    expect(Object.keys(repaired.entries.toJSON()).sort()).toEqual(['e0', 'e2', 'e3', 'e4', 'e5']);
  });

  it('shows held changes once the damaged record is recovered', async () => {
    const { db, load } = setup(100);
    const vault = await load();
    vault.entries.set('a', new Y.Map([['registry', 'a.example.com']]));
    vault.entries.set('b', new Y.Map([['registry', 'b.example.com']]));
    await vault.close();
    const good = await db.updates.get(['vault-1', 1]);
    await db.updates.put({ vaultId: 'vault-1', seq: 1, sealed: flip(good?.sealed ?? new Uint8Array()) });
    const damaged = await load();
    expect(damaged.entries.size).toBe(0);
    expect(damaged.hasHeldChanges).toBe(true);
    await damaged.close();
    await db.updates.put({ vaultId: 'vault-1', seq: 1, sealed: good?.sealed ?? new Uint8Array() });
    const recovered = await load();
    expect(Object.keys(recovered.entries.toJSON()).sort()).toEqual(['a', 'b']);
    expect(recovered.hasHeldChanges).toBe(false);
  });

  it('reports a damaged snapshot and a gap in the log', async () => {
    const { db, load } = setup(3);
    const vault = await load();
    for (let i = 0; i < 5; i++) edit(vault, i);
    await vault.close();
    const snapshot = await db.snapshots.get('vault-1');
    expect(snapshot?.seq).toBe(3);
    await db.snapshots.put({ vaultId: 'vault-1', seq: 3, sealed: flip(snapshot?.sealed ?? new Uint8Array()) });
    await logRange(db, 'vault-1', 4, 4).delete();

    const reloaded = await load();
    expect(reloaded.problems.map((p) => p.subject)).toEqual([
      { what: 'vault-snapshot', vaultId: 'vault-1', seq: 3 },
      { what: 'vault-update', vaultId: 'vault-1', seq: 4 },
    ]);
  });

  it('reports a failed write and keeps recording', async () => {
    const { db, load, reported } = setup(100);
    const vault = await load();
    const fail = () => {
      throw new Error('quota exceeded');
    };
    db.updates.hook('creating', fail);
    edit(vault, 1);
    await expect(vault.flush()).rejects.toMatchObject({ code: 'write-failed', number: 501 });
    db.updates.hook('creating').unsubscribe(fail);
    edit(vault, 2);
    await vault.flush();
    expect(reported.map((p) => p.code)).toEqual(['write-failed']);
    expect((await db.updates.toArray()).map((r) => r.seq)).toEqual([2]);
  });
});
