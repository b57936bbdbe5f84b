// "Reset sync state" after a fatal error: a relay restored from an old backup makes a device stop with a
// rollback (4001); resetting its sync cursor (what the app's "Reset sync…" does) reconnects it, keeps its
// data and unsent edits, and sends them again, so a device that catches up later sees everything.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import { resetSyncCursor } from '../../../shared/sync/storage';
import { createTestVault, startLinkedClients } from './clients';
import { removeDataDir, startRelayProcess, waitForDoc, waitForStatus, waitSynced, type RelayProcess } from './harness';
import { backUpRelay, removeBackup, restoreRelay } from './relay-backup';
import { opsOf } from '../../support/replicas';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
  removeBackup(relay);
});

async function restartFrom(copy: 'take-backup' | 'restore-backup'): Promise<void> {
  await relay.kill('SIGTERM');
  if (copy === 'take-backup') await backUpRelay(relay);
  else await restoreRelay(relay);
  await relay.restart();
}

test('after a rollback, resetting the sync cursor keeps local data and unsent edits and sends them again', async () => {
  const vault = await createTestVault();
  const [a, b] = await startLinkedClients({ relayUrl: relay.url, vault, extra: 1 });
  if (!a || !b) throw new Error('clients missing');
  const ops = a.client.doc.getMap<boolean>('ops');
  for (let i = 0; i < 3; i++) ops.set(`before-${i}`, true);
  await waitForDoc(b.client.doc, () => b.client.doc.getMap('ops').size === 3);
  await b.stop();

  await restartFrom('take-backup');
  for (let i = 0; i < 3; i++) ops.set(`after-${i}`, true);
  await waitSynced(a.client.engine);
  await restartFrom('restore-backup');
  ops.set('while-rolled-back', true);
  const stopped = await waitForStatus(a.client.engine, (s) => typeof s === 'object' && 'error' in s);
  expect(stopped).toEqual(
    expect.objectContaining({ error: expect.objectContaining({ code: errorCodes.rollbackDetected }), fatal: true }),
  );
  const counter = (await a.client.storage.load()).cursor?.counter ?? 0;

  // Reset: same document and queue, cursor back to the start of the relay's log.
  await a.stop();
  const stored = await a.client.storage.load();
  if (!stored.cursor) throw new Error('no cursor');
  expect(stored.pending.length).toBe(1);
  await a.client.storage.commit({ cursor: resetSyncCursor(stored.cursor) });
  await a.restart();
  await waitSynced(a.client.engine);
  expect(ops.size).toBe(7);
  expect((await a.client.storage.load()).cursor?.counter).toBeGreaterThan(counter);

  // B last saw the relay before the backup: it catches up and gets what the relay had lost, once each.
  await b.restart();
  await waitForDoc(b.client.doc, () => b.client.doc.getMap('ops').size === 7);
  expect(opsOf(b.client.doc)).toEqual([...ops.keys()].sort());
  await waitSynced(b.client.engine);
  for (const c of [a, b]) await c.stop();
});
