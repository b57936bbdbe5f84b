// Team invitations against a real relay process (issue #13): the admin opens a mailbox for an
// invitation, the invitee's device posts its join request signed with the key derived from the
// invitation's secret, and the admin's engine completes the pairing. Each attack here is what a
// stranger would try on the mailbox: no secret, a wrong secret, someone else's device key, a second
// device on a used invitation, a member who is not an admin, and flooding a vault with invitations.
import nacl from 'tweetnacl';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import {
  createInvitation,
  encodeJoinMessage,
  invitationId,
  invitationPairing,
  openJoinRequest,
  sealJoinRequest,
  signDecline,
  type Invitation,
} from '../../../shared/sync/invitation';
import {
  fetchInvitations,
  openInvitationMailbox,
  sendDecline,
  sendJoinRequest,
  type RelayReach,
} from '../../../shared/sync/invitation-client';
import { systemClock } from '../../../shared/sync/ports';
import type { Role } from '../../../shared/sync/wire-records';
import { failureOf, valueOf } from '../../../shared/test-result';
import {
  completeInvitation,
  createTestVault,
  startLinkedClients,
  type RestartableClient,
  type TestVault,
} from './clients';
import { connectNodeSocket, createTestDevice, nodeRandom, type TestDevice } from './harness';
import { useRelay } from './use-relay';

const relay = useRelay();
let admin: RestartableClient;
let vault: TestVault;

beforeAll(async () => {
  vault = await createTestVault();
  const [first] = await startLinkedClients({ relayUrl: relay().url, vault, extra: 0 });
  if (!first) throw new Error('admin did not start');
  admin = first;
});

afterAll(async () => {
  await admin.stop();
});

const reach = (device: TestDevice): RelayReach => ({
  relayUrl: relay().url,
  connect: connectNodeSocket,
  device,
  clock: systemClock,
});

async function invite(role: Role = 'writer'): Promise<Invitation> {
  const invitation = createInvitation(
    {
      relayUrl: relay().url,
      vaultId: vault.vaultId,
      vaultName: 'Production',
      inviterName: 'Alice',
      role,
      inviterKey: encodeBase64(vault.owner.publicKey),
    },
    nodeRandom,
    Date.now(),
  );
  valueOf(
    await openInvitationMailbox(
      reach(vault.owner),
      vault.vaultId,
      invitationId(invitation.secret),
      invitation.expiresAt,
    ),
  );
  return invitation;
}

const joinAs = (device: TestDevice, invitation: Invitation, name = 'Bob') =>
  sealJoinRequest(
    invitation,
    { device: device.publicKey, box: device.boxKeys.publicKey, card: { name, person: 'p-1' } },
    nodeRandom,
  );

test('the invitee joins with the secret, the admin completes the pairing, and the vault key arrives', async () => {
  const invitation = await invite('writer');
  const bob = createTestDevice();
  valueOf(await sendJoinRequest(reach(bob), joinAs(bob, invitation)));
  const [item] = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId)).filter(
    (i) => i.invitation === invitationId(invitation.secret),
  );
  expect(item?.state).toBe('joined');
  if (!item?.request) throw new Error('no join request listed');
  expect(openJoinRequest(invitation, item.request)).toEqual({ name: 'Bob', person: 'p-1' });
  const vaults = await completeInvitation(admin.client, relay().url, bob, invitationPairing(invitation), 'writer');
  expect(vaults).toEqual([vault.vaultId]);
  expect(admin.client.engine.members()).toContainEqual({ publicKey: encodeBase64(bob.publicKey), role: 'writer' });
  // Completed: the joined device is a member, so the mailbox no longer lists it.
  const after = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId));
  expect(after.map((i) => i.invitation)).not.toContain(invitationId(invitation.secret));
});

test('a stranger without the secret cannot post into the mailbox: its own key, a wrong secret', async () => {
  const invitation = await invite();
  const stranger = createTestDevice();
  // Knows the public id (the relay operator does), signs with a key of its own.
  const own = nacl.sign.keyPair();
  const forged = { ...joinAs(stranger, invitation), sig: '' };
  forged.sig = encodeBase64(nacl.sign.detached(encodeJoinMessage(forged), own.secretKey));
  expect(failureOf(await sendJoinRequest(reach(stranger), forged)).number).toBe(errorCodes.badSignature);
  // A guessed secret gives another public id: no such mailbox.
  const guessed = { ...invitation, secret: nodeRandom(32) };
  expect(failureOf(await sendJoinRequest(reach(stranger), joinAs(stranger, guessed))).number).toBe(
    errorCodes.unknownInvitation,
  );
  expect(failureOf(await sendDecline(reach(stranger), signDecline(guessed))).number).toBe(errorCodes.unknownInvitation);
  // Nothing landed: the invitation is still open.
  const listed = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId));
  expect(listed.find((i) => i.invitation === invitationId(invitation.secret))?.state).toBe('open');
});

test('a join request is for the device that sends it, and an invitation takes one device', async () => {
  const invitation = await invite();
  const bob = createTestDevice();
  const mallory = createTestDevice();
  // Mallory (who saw the code) cannot post a request naming Bob's key…
  expect(failureOf(await sendJoinRequest(reach(mallory), joinAs(bob, invitation))).number).toBe(
    errorCodes.authorMismatch,
  );
  valueOf(await sendJoinRequest(reach(bob), joinAs(bob, invitation)));
  // …and once Bob joined, neither a second device nor a decline gets in.
  expect(failureOf(await sendJoinRequest(reach(mallory), joinAs(mallory, invitation))).number).toBe(
    errorCodes.invitationUsed,
  );
  expect(failureOf(await sendDecline(reach(mallory), signDecline(invitation))).number).toBe(errorCodes.invitationUsed);
});

test('an open invitation survives a relay restart: the invitee joins afterwards and the admin sees it', async () => {
  const invitation = await invite('reader');
  const restart = async () => {
    await relay().kill();
    await relay().restart();
  };
  await restart();
  const dave = createTestDevice();
  // Before the mailbox was stored, the restart voided it: 2010 "no such invitation".
  valueOf(await sendJoinRequest(reach(dave), joinAs(dave, invitation, 'Dave')));
  await restart();
  const listed = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId));
  const item = listed.find((i) => i.invitation === invitationId(invitation.secret));
  expect(item?.state).toBe('joined');
  if (!item?.request) throw new Error('no join request listed');
  expect(openJoinRequest(invitation, item.request)).toEqual({ name: 'Dave', person: 'p-1' });
  // Still one device per invitation after the restarts.
  const mallory = createTestDevice();
  expect(failureOf(await sendJoinRequest(reach(mallory), joinAs(mallory, invitation))).number).toBe(
    errorCodes.invitationUsed,
  );
});

test('a decline reaches the admin; only admins invite and list; a vault cannot be flooded with invitations', async () => {
  const invitation = await invite();
  const carol = createTestDevice();
  valueOf(await sendDecline(reach(carol), signDecline(invitation)));
  const listed = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId));
  expect(listed.find((i) => i.invitation === invitationId(invitation.secret))?.state).toBe('declined');
  expect(failureOf(await sendJoinRequest(reach(carol), joinAs(carol, invitation))).number).toBe(
    errorCodes.invitationUsed,
  );

  const outsider = createTestDevice();
  const id = encodeBase64(nacl.sign.keyPair().publicKey);
  const expiresAt = Date.now() + 60_000;
  expect(failureOf(await openInvitationMailbox(reach(outsider), vault.vaultId, id, expiresAt)).number).toBe(
    errorCodes.notAnAdmin,
  );
  expect(failureOf(await fetchInvitations(reach(outsider), vault.vaultId)).number).toBe(errorCodes.notAnAdmin);
  // An expiry in the past, or beyond the relay's limit, is refused.
  expect(failureOf(await openInvitationMailbox(reach(vault.owner), vault.vaultId, id, Date.now() - 1)).number).toBe(
    errorCodes.malformedFrame,
  );

  // 50 open invitations per vault (the ones above count): the next ones are refused with the quota code.
  const open = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId)).length;
  for (let i = open; i < 50; i++) {
    const key = encodeBase64(nacl.sign.keyPair().publicKey);
    valueOf(await openInvitationMailbox(reach(vault.owner), vault.vaultId, key, expiresAt));
  }
  expect(failureOf(await openInvitationMailbox(reach(vault.owner), vault.vaultId, id, expiresAt)).number).toBe(
    errorCodes.quotaExceeded,
  );
});
