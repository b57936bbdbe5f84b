// A relay restored from an older backup serves an older head than a device has verified: the device
// detects the rollback (4001), stops syncing with it, and keeps its data and queued edits.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import { createTestVault, startLinkedClients } from './clients';
import { removeDataDir, startRelayProcess, waitForStatus, waitSynced, type RelayProcess } from './harness';
import { backUpRelay, removeBackup, restoreRelay } from './relay-backup';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
  removeBackup(relay);
});

test('a relay serving an older head than verified is reported as a rollback', async () => {
  const vault = await createTestVault();
  const [a] = await startLinkedClients({ relayUrl: relay.url, vault, extra: 0 });
  if (!a) throw new Error('client missing');
  const ops = a.client.doc.getMap<boolean>('ops');
  for (let i = 0; i < 5; i++) ops.set(`before-${i}`, true);
  await waitSynced(a.client.engine);

  await relay.kill('SIGTERM');
  await backUpRelay(relay);
  await relay.restart();
  for (let i = 0; i < 5; i++) ops.set(`after-${i}`, true);
  await waitSynced(a.client.engine);
  const verified = a.client.engine.head();

  await relay.kill('SIGTERM');
  await restoreRelay(relay);
  await relay.restart();
  ops.set('while-rolled-back', true);

  const status = await waitForStatus(a.client.engine, (s) => typeof s === 'object' && 'error' in s);
  expect(status).toMatchObject({ error: { code: errorCodes.rollbackDetected } });
  expect(a.client.engine.head()).toBe(verified);
  expect(ops.size).toBe(11);
  expect(a.client.engine.pendingCount()).toBe(1);
  await a.stop();
});
