// A team invitation across relay nodes on one PostgreSQL database: the admin's app talks to node A,
// the invitee's to node B. The mailbox lives in the database, so the join request posted through B is
// listed through A, the admin completes the pairing through A and the vault key reaches the invitee through B.
import { expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import { invitationId, invitationPairing, openJoinRequest, sealJoinRequest } from '../../../shared/sync/invitation';
import { fetchInvitations, sendJoinRequest, type RelayReach } from '../../../shared/sync/invitation-client';
import { systemClock } from '../../../shared/sync/ports';
import { failureOf, valueOf } from '../../../shared/test-result';
import { completeInvitation, createTestVault, openTestInvitation, startLinkedClients } from '../sync/clients';
import { connectNodeSocket, createTestDevice, nodeRandom, type TestDevice } from '../sync/harness';
import { useRelayNodes } from './nodes';

const nodes = useRelayNodes(2);

test('admin on node A, invitee on node B: the invitation completes and the vault key arrives', async () => {
  const [a, b] = nodes();
  if (!a || !b) throw new Error('nodes missing');
  const reach = (url: string, device: TestDevice): RelayReach => ({
    relayUrl: url,
    connect: connectNodeSocket,
    device,
    clock: systemClock,
  });
  const vault = await createTestVault();
  const [admin] = await startLinkedClients({ relayUrl: a.url, vault, extra: 0 });
  if (!admin) throw new Error('admin did not start');
  try {
    const invitation = await openTestInvitation(reach(a.url, vault.owner), vault);
    const id = invitationId(invitation.secret);

    const bob = createTestDevice();
    const card = { device: bob.publicKey, box: bob.boxKeys.publicKey, card: { name: 'Bob', person: 'p-2' } };
    // Before the mailbox was stored in the database, node B knew nothing of it: 2010.
    valueOf(await sendJoinRequest(reach(b.url, bob), sealJoinRequest(invitation, card, nodeRandom)));
    const [item] = valueOf(await fetchInvitations(reach(a.url, vault.owner), vault.vaultId)).filter(
      (i) => i.invitation === id,
    );
    expect(item?.state).toBe('joined');
    if (!item?.request) throw new Error('no join request listed');
    expect(openJoinRequest(invitation, item.request)).toEqual({ name: 'Bob', person: 'p-2' });

    // One device per invitation, whichever node a second one asks.
    const mallory = createTestDevice();
    const other = { ...card, device: mallory.publicKey, box: mallory.boxKeys.publicKey };
    expect(
      failureOf(await sendJoinRequest(reach(a.url, mallory), sealJoinRequest(invitation, other, nodeRandom))).number,
    ).toBe(errorCodes.invitationUsed);
    // The admin listing through the other node is told the code was used twice.
    const told = valueOf(await fetchInvitations(reach(b.url, vault.owner), vault.vaultId)).find(
      (i) => i.invitation === id,
    );
    expect(told?.contested).toBe(1);

    const vaults = await completeInvitation(admin.client, b.url, bob, invitationPairing(invitation), 'writer');
    expect(vaults).toEqual([vault.vaultId]);
    // Completed: listed through B too, the invitation is gone (its device is a member).
    const after = valueOf(await fetchInvitations(reach(b.url, vault.owner), vault.vaultId));
    expect(after.map((i) => i.invitation)).not.toContain(id);
  } finally {
    await admin.stop();
  }
});
