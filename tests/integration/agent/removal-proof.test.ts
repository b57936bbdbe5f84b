// An agent deletes its local copy only on a removal it can verify: the admin-signed record, chained to
// the member log it holds, which the relay sends a device that was away when it was removed. A relay
// that only says "not a member" (2003) — lying, or rolled back — gets a refusal and the copy is kept.
import { expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { createDeviceSecrets, openDevice } from '../../../agent/device';
import { nodeRandom } from '../../../agent/ports';
import { syncVault, type SyncOutcome } from '../../../agent/vault-sync';
import { linkDevice } from '../sync/clients';
import { createMitm } from '../sync/mitm';
import { useRelay } from '../sync/use-relay';
import { removeMember, startTeamAdmin } from './team-admin';

const relayOf = useRelay();

async function removedAgent() {
  const admin = await startTeamAdmin([relayOf().url], { registry: 'ghcr.io', username: 'ci', password: 'p' });
  const device = openDevice(createDeviceSecrets(nodeRandom));
  const members = await linkDevice(relayOf().url, admin.client.client, device, 'reader');
  const granted = {
    vaultId: admin.vault.vaultId,
    vaultName: 'Production',
    relayUrl: relayOf().url,
    vaultKey: { epoch: 0, key: encodeBase64(admin.vault.vaultKey.key) },
    members,
  };
  const first = await syncVault(granted, device);
  if (first.kind !== 'synced') throw new Error(`first sync: ${JSON.stringify(first)}`);
  await removeMember(admin, encodeBase64(device.publicKey));
  await admin.client.stop();
  return { device, stored: first.vault };
}

test('a removed agent learns who removed it from the signed record', async () => {
  const { device, stored } = await removedAgent();
  const outcome: SyncOutcome = await syncVault(stored, device);
  expect(outcome).toEqual({ kind: 'removed', vaultName: 'Production', by: 'Alice' });
});

test("a relay's bare 'not a member' without the signed removal is refused, not taken as a removal", async () => {
  const { device, stored } = await removedAgent();
  const mitm = createMitm();
  // The relay's removal record is dropped on its way: only the 2003 refusal reaches the agent.
  mitm.state.rewrite = (frame) => (frame.t === 'member' ? null : undefined);
  const outcome = await syncVault(stored, device, 10_000, mitm.connect);
  expect(outcome).toMatchObject({ kind: 'refused', error: { code: 2003 } });
  if (outcome.kind === 'refused') expect(outcome.error.message).toContain('no signed removal');
});
