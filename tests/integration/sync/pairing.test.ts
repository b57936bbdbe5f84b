// The attacks on linking (issue #11, high): a real relay process, a real admin engine for the honest
// vault, and an attacker who runs its own vault on the same relay. Before pairing, a grant from anyone
// who knew the device code (public keys only) was imported; now only a grant proving a pairing this
// device started, unused and unexpired, is.
import { failureOf, valueOf } from '../../../shared/test-result';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import { pullKeyGrants, showPairingCode } from '../../../shared/sync/link';
import { keyFingerprint, startPairing, type Pairing, type PairingInvite } from '../../../shared/sync/pairing';
import { systemClock, type Clock } from '../../../shared/sync/ports';
import { createTestVault, startLinkedClients, type RestartableClient } from './clients';
import { connectNodeSocket, createTestDevice, nodeRandom, nodeVerify, type TestDevice } from './harness';
import { useRelay } from './use-relay';

const relay = useRelay();
let honest: RestartableClient;
let attacker: RestartableClient;
let attackerDevice: TestDevice;
let attackerVaultId: string;

beforeAll(async () => {
  const [first] = await startLinkedClients({ relayUrl: relay().url, vault: await createTestVault(), extra: 0 });
  const attackerVault = await createTestVault();
  const [second] = await startLinkedClients({ relayUrl: relay().url, vault: attackerVault, extra: 0 });
  if (!first || !second) throw new Error('clients did not start');
  [honest, attacker, attackerDevice, attackerVaultId] = [first, second, attackerVault.owner, attackerVault.vaultId];
});

afterAll(async () => {
  await honest.stop();
  await attacker.stop();
});

const pull = async (device: TestDevice, pairings: readonly Pairing[], clock: Clock = systemClock) =>
  valueOf(
    await pullKeyGrants({
      relayUrl: relay().url,
      connect: connectNodeSocket,
      device,
      boxKeys: device.boxKeys,
      verify: nodeVerify,
      clock,
      pairings,
    }),
  );

const identityOf = (device: TestDevice) => ({ signing: device.publicKey, box: device.boxKeys.publicKey });

test('a stranger who knows only the public keys pushes its own vault: listed with its key, not imported', async () => {
  const receiver = createTestDevice();
  const pairing = startPairing(nodeRandom, systemClock.now());
  // Everything the old device code held, plus a secret of the attacker's choosing.
  const guess: PairingInvite = { identity: identityOf(receiver), secret: nodeRandom(32), expiresAt: pairing.expiresAt };
  valueOf(await attacker.client.engine.authorizeDevice(guess));
  const pulled = await pull(receiver, [pairing]);
  expect(pulled.vaults).toEqual([]);
  expect(pulled.refused).toEqual([
    {
      vaultId: attackerVaultId,
      reason: expect.stringMatching(/did not show, or one already used/),
      signer: keyFingerprint(attackerDevice.publicKey),
    },
  ]);
});

test('the honest link works once; replaying its grant later, or after expiry, opens nothing', async () => {
  const receiver = createTestDevice();
  const pairing = startPairing(nodeRandom, systemClock.now());
  const shown = valueOf(
    await honest.client.engine.authorizeDevice(showPairingCode(receiver, receiver.boxKeys, pairing)),
  );
  const first = await pull(receiver, [pairing]);
  expect(first.refused).toEqual([]);
  expect(first.vaults.map((v) => [v.pairingId, v.fingerprint])).toEqual([[pairing.id, shown]]);
  // The device marks the pairing used (the hub forgets it): the relay still holds the grant and re-sends it.
  const replayed = await pull(receiver, []);
  expect(replayed.vaults).toEqual([]);
  expect(replayed.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/already used/)]);
  // A pairing kept past its deadline proves nothing either.
  const late: Clock = { ...systemClock, now: () => pairing.expiresAt };
  expect((await pull(receiver, [pairing], late)).vaults).toEqual([]);
});

test('someone who copied the code and granted first is caught by the fingerprint; the honest grant then fails', async () => {
  const receiver = createTestDevice();
  const pairing = startPairing(nodeRandom, systemClock.now());
  const code = showPairingCode(receiver, receiver.boxKeys, pairing);
  const attackerShows = valueOf(await attacker.client.engine.authorizeDevice(code));
  const taken = await pull(receiver, [pairing]);
  expect(taken.vaults).toHaveLength(1);
  const honestShows = valueOf(await honest.client.engine.authorizeDevice(code));
  // What the receiver shows is the attacker's fingerprint, not the one on the honest device.
  expect(taken.vaults[0]?.fingerprint).toBe(attackerShows);
  expect(taken.vaults[0]?.fingerprint).not.toBe(honestShows);
  // The pairing is used: the honest grant that arrives now is not imported behind the user's back.
  expect((await pull(receiver, [])).vaults).toEqual([]);
});

test('an expired or old-format code is refused on the granting side with what to do', async () => {
  const receiver = createTestDevice();
  const expired = startPairing(nodeRandom, systemClock.now() - 11 * 60_000);
  expect(
    failureOf(await honest.client.engine.authorizeDevice(showPairingCode(receiver, receiver.boxKeys, expired))),
  ).toMatchObject({
    code: 'pairingExpired',
    number: errorCodes.pairingExpired,
    message: expect.stringMatching(/expired/),
  });
  expect(failureOf(await honest.client.engine.authorizeDevice(`rv1-${'A'.repeat(91)}`))).toMatchObject({
    code: 'invalidDeviceCode',
    number: errorCodes.invalidDeviceCode,
    message: expect.stringMatching(/older Regvault/),
  });
});
