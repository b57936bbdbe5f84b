import 'fake-indexeddb/auto';
import { afterEach, expect, it, vi } from 'vitest';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { valueOf } from '../../../../shared/test-result';
import { RefreshCommands } from '../refresh/refresh-commands.svelte';
import { VaultStore } from '../vault-db';
import { noteEntryUse } from './entry-use-events';
import { LastUse, USE_WRITE_INTERVAL_MS } from './last-use.svelte';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function profile() {
  const store = new VaultStore({ dbName: `last-use-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanups.push(() => store.close());
  const session = valueOf(await store.createProfile('correct horse battery staple'));
  return { store, session };
}

it('records uses reported while started, keeps them sealed on this device, and skips rewriting the same use at once', async () => {
  const { store, session } = await profile();
  let now = 1_000_000;
  const uses = new LastUse(session, () => now);
  const stop = uses.start();
  noteEntryUse('entry-a', 'helper');
  await session.patchSettings((current) => current); // waits for the queued write
  expect(session.settings.lastUse).toEqual([{ entryId: 'entry-a', at: 1_000_000, via: 'helper' }]);

  now += USE_WRITE_INTERVAL_MS / 2;
  await uses.record('entry-a', 'helper');
  expect(uses.of('entry-a')?.at).toBe(now); // known at once…
  expect(session.settings.lastUse?.[0]?.at).toBe(1_000_000); // …written again only after a while
  stop();
  noteEntryUse('entry-b', 'refresh'); // not listening any more: locked sessions record nothing
  expect(uses.of('entry-b')).toBeUndefined();

  await session.lock();
  const again = valueOf(await store.unlock('correct horse battery staple'));
  expect(new LastUse(again).of('entry-a')).toEqual({ entryId: 'entry-a', at: 1_000_000, via: 'helper' });
});

it('a refresh command saved at the same moment as a use keeps both (settings writes are queued)', async () => {
  // Main keeps the approvals of refresh commands; a command not yet allowed there is only dropped from main.
  vi.stubGlobal('window', { regvault: { refresh: { forget: () => Promise.resolve({ ok: true, value: undefined }) } } });
  const { session } = await profile();
  const uses = new LastUse(session, () => 5_000);
  const commands = new RefreshCommands(session);
  await Promise.all([
    uses.record('entry-a', 'docker-config'),
    commands.set('vault-1', 'entry-a', { argv: ['aws', 'ecr', 'get-login-password'] }),
    uses.record('entry-b', 'login-check'),
  ]);
  expect(session.settings.refreshCommands).toHaveLength(1);
  expect(session.settings.lastUse?.map((use) => use.entryId).sort()).toEqual(['entry-a', 'entry-b']);
  vi.unstubAllGlobals();
});
