// Linking a device end to end: B shows its pairing code, A authorizes it and seals the vault key to it
// with the pairing proof, B pulls the key and the vault; both see the same fingerprint. Status goes offline → pending → synced. Removing B cuts it off.
import { failureOf, valueOf } from '../../../shared/test-result';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { equalBytes } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import type { SyncStatus } from '../../../shared/sync/engine-core';
import { createVault, pullKeyGrants, showPairingCode } from '../../../shared/sync/link';
import { startPairing, type Pairing } from '../../../shared/sync/pairing';
import { systemClock } from '../../../shared/sync/ports';
import {
  connectNodeSocket,
  createTestClient,
  createTestDevice,
  nodeRandom,
  nodeVerify,
  removeDataDir,
  startRelayProcess,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type RelayProcess,
  type TestDevice,
} from './harness';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

const pull = async (device: TestDevice, pairings: readonly Pairing[]) =>
  valueOf(
    await pullKeyGrants({
      relayUrl: relay.url,
      connect: connectNodeSocket,
      device,
      boxKeys: device.boxKeys,
      verify: nodeVerify,
      clock: systemClock,
      pairings,
    }),
  );

test('link a device, sync both ways, then remove it', async () => {
  const deviceA = createTestDevice();
  const vault = await createVault(deviceA, nodeRandom);
  const a = createTestClient({
    relayUrl: relay.url,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device: deviceA,
    members: [vault.genesis],
  });
  const seen: SyncStatus[] = [];
  a.engine.onStatus((status) => seen.push(status));
  a.doc.getMap('entries').set('x', 'made before the first connection');
  await a.engine.start();
  await waitSynced(a.engine);
  expect(seen[0]).toEqual('offline');
  expect(seen).toContainEqual({ pending: 1 });
  expect(seen.at(-1)).toBe('synced');

  expect(failureOf(await a.engine.authorizeDevice('rv1-not-a-code'))).toMatchObject({
    code: 'invalidDeviceCode',
    number: errorCodes.invalidDeviceCode,
  });
  const deviceB = createTestDevice();
  const pairing = startPairing(nodeRandom, systemClock.now());
  expect((await pull(deviceB, [pairing])).vaults).toEqual([]);
  const shownOnA = valueOf(await a.engine.authorizeDevice(showPairingCode(deviceB, deviceB.boxKeys, pairing)));
  expect(shownOnA).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
  expect(a.engine.members().map((m) => m.role)).toEqual(['admin', 'admin']);
  const { vaults, refused } = await pull(deviceB, [pairing]);
  expect(refused).toEqual([]);
  const granted = vaults[0];
  if (!granted) throw new Error('no grant');
  expect(granted.vaultId).toBe(vault.vaultId);
  expect(granted.fingerprint).toBe(shownOnA);
  expect(equalBytes(granted.vaultKey.key, vault.vaultKey.key)).toBe(true);

  const refusedOnB: string[] = [];
  const b = createTestClient({
    relayUrl: relay.url,
    vaultId: granted.vaultId,
    vaultKey: granted.vaultKey,
    device: deviceB,
    members: granted.members,
    options: { onRefused: (change) => refusedOnB.push(change.reason) },
  });
  await b.engine.start();
  await waitForDoc(b.doc, () => b.doc.getMap('entries').get('x') === 'made before the first connection');
  b.doc.getMap('entries').set('y', 'from B');
  await waitForDoc(a.doc, () => a.doc.getMap('entries').get('y') === 'from B');

  valueOf(await a.engine.removeDevice(deviceB.publicKey));
  await waitForStatus(b.engine, (s) => typeof s === 'object' && 'error' in s && s.error.code === errorCodes.notAMember);
  // A removed device's own judge keeps its edit local (protocol v5): nothing is sealed, nothing is sent.
  b.doc.getMap('entries').set('z', 'after removal');
  await b.engine.flush();
  expect(refusedOnB).toEqual(['this device may not change this vault (its role is Viewer)']);
  expect(b.engine.pendingCount()).toBe(0);
  expect(a.doc.getMap('entries').has('z')).toBe(false);
  expect((await pull(deviceB, [pairing])).vaults).toEqual([]);
  await a.engine.stop();
  await b.engine.stop();
  const again = startPairing(nodeRandom, systemClock.now());
  expect(failureOf(await a.engine.authorizeDevice(showPairingCode(deviceB, deviceB.boxKeys, again)))).toMatchObject({
    code: 'notConnected',
    number: errorCodes.notConnected,
  });
});
