import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createVault } from '../../../shared/sync/link';
import type { WireEnvelope } from '../../../shared/sync/wire-records';
import { createTestDevice, nodeRandom } from './harness';
import { createCommitQueue, type AcceptedEnvelope } from '../../../relay/commit-queue';
import { createFanout } from '../../../relay/fanout';
import { openRelayStore } from '../../../relay/sqlite-store';
import type { RelayStore } from '../../../relay/store';
import { createVaultCache, type VaultState } from '../../../relay/vaults';

const dirs: string[] = [];
const stores: RelayStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function relayWithVaults(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-commit-'));
  dirs.push(dir);
  const store = openRelayStore(dir, 'normal');
  stores.push(store);
  const vaults = createVaultCache(store);
  const owners = await Promise.all(
    Array.from({ length: count }, async () => {
      const device = createTestDevice();
      const vault = await createVault(device, nodeRandom);
      await store.registerVault(vault.vaultId, vault.genesis, 0);
      return { device, state: (await vaults.get(vault.vaultId)) as VaultState };
    }),
  );
  const fanout = createFanout(store, () => undefined);
  return { store, vaults, owners, queue: createCommitQueue(store, vaults, fanout) };
}

type Outcome = { seq?: number; failed?: unknown };

function accepted(state: VaultState, author: Uint8Array, counter: number, outcome: Outcome): AcceptedEnvelope {
  const bytes = Uint8Array.of(counter);
  return {
    vault: state,
    wire: { counter } as unknown as WireEnvelope,
    origin: null,
    row: { vault: state.id, epoch: 0, author, counter, members: 1, nonce: bytes, ciphertext: bytes, sig: bytes },
    recheck: () => null,
    onCommitted: (seq) => (outcome.seq = seq),
    onFailed: (failure) => (outcome.failed = failure),
  };
}

test('a row that breaks the store fails alone; the rest of its group commits, in order', async () => {
  const { store, owners, queue } = await relayWithVaults(21);
  const [victim, ...others] = owners;
  if (!victim) throw new Error('no vault');
  const first: Outcome = {};
  queue.push(accepted(victim.state, victim.device.publicKey, 1, first));
  await queue.flushNow();
  expect(first).toEqual({ seq: 1 });

  // The same (vault, author, counter) again, in a group with 20 other vaults' envelopes and a
  // second, valid envelope of the same vault after it.
  const duplicate: Outcome = {};
  const honest = others.map(() => ({}) as Outcome);
  const after: Outcome = {};
  queue.push(accepted(victim.state, victim.device.publicKey, 1, duplicate));
  others.forEach((o, i) => queue.push(accepted(o.state, o.device.publicKey, 1, honest[i] as Outcome)));
  queue.push(accepted(victim.state, victim.device.publicKey, 2, after));
  await queue.flushNow();

  expect(duplicate.failed).toMatchObject({ kind: 'error', error: expect.any(Error) as unknown });
  expect(honest).toEqual(others.map(() => ({ seq: 1 })));
  expect(after).toEqual({ seq: 2 });
  expect((await store.loadVault(victim.state.id))?.head).toBe(2);
  for (const o of others) expect((await store.loadVault(o.state.id))?.head).toBe(1);
});

test('the vault cache stays bounded, keeps subscribed vaults, and reloads a dropped one from the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-cache-'));
  dirs.push(dir);
  const store = openRelayStore(dir, 'normal');
  stores.push(store);
  const vaults = createVaultCache(store, 3);
  const ids = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const vault = await createVault(createTestDevice(), nodeRandom);
      await store.registerVault(vault.vaultId, vault.genesis, 0);
      return vault.vaultId;
    }),
  );
  const subscriber = { owner: {}, deviceKey: 'k', sendText: () => undefined, close: () => undefined };
  (await vaults.get(ids[0] as string))?.subscribers.add(subscriber);
  for (const id of ids) {
    expect((await vaults.get(id))?.id).toBe(id);
    expect(vaults.size()).toBeLessThanOrEqual(3);
  }
  // The subscribed vault was never dropped: it is the same object its subscriber is attached to.
  expect((await vaults.get(ids[0] as string))?.subscribers.has(subscriber)).toBe(true);
  // A dropped vault comes back from the store with its members.
  expect((await vaults.get(ids[5] as string))?.records).toHaveLength(1);
});
