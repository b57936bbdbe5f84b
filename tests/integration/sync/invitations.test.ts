// Team invitations against a real relay process: the admin opens a mailbox for an invitation, the
// invitee's device posts its join request signed with the key derived from the invitation's secret,
// and only when the admin confirms does its engine complete the pairing. Each attack here is what a
// stranger would try on the mailbox: no secret, a wrong secret, someone else's device key, a second
// device on a used invitation (refused, and the admin is told), a member who is not an admin, and
// flooding a vault — or the relay, through vaults of its own — with invitations.
import nacl from 'tweetnacl';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import {
  encodeJoinMessage,
  invitationFingerprint,
  invitationId,
  invitationPairing,
  openJoinRequest,
  sealJoinRequest,
  signDecline,
  type Invitation,
} from '../../../shared/sync/invitation';
import {
  fetchInvitations,
  fetchJoinStatus,
  openInvitationMailbox,
  rejectJoiner,
  sendDecline,
  sendJoinRequest,
  type RelayReach,
} from '../../../shared/sync/invitation-client';
import { createVault } from '../../../shared/sync/link';
import { systemClock } from '../../../shared/sync/ports';
import type { Role } from '../../../shared/sync/wire-records';
import { failureOf, valueOf } from '../../../shared/test-result';
import {
  completeInvitation,
  createTestVault,
  openTestInvitation,
  pullGrantsOf,
  startLinkedClients,
  type RestartableClient,
  type TestVault,
} from './clients';
import { connectNodeSocket, createTestDevice, nodeRandom, openRawSession, type TestDevice } from './harness';
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

const invite = (role: Role = 'writer'): Promise<Invitation> => openTestInvitation(reach(vault.owner), vault, role);

const opening = (invitation: string, expiresAt: number) => ({
  vault: vault.vaultId,
  invitation,
  expiresAt,
  keep: 'AAAA',
});

const joinAs = (device: TestDevice, invitation: Invitation, name = 'Bob') =>
  sealJoinRequest(
    invitation,
    { device: device.publicKey, box: device.boxKeys.publicKey, card: { name, person: 'p-1' } },
    nodeRandom,
  );

test('the invitee joins with the secret and receives no key until the admin confirms; then the vault key arrives', async () => {
  const invitation = await invite('writer');
  const bob = createTestDevice();
  valueOf(await sendJoinRequest(reach(bob), joinAs(bob, invitation)));
  const [item] = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId)).filter(
    (i) => i.invitation === invitationId(invitation.secret),
  );
  expect(item).toMatchObject({ state: 'joined', inviter: encodeBase64(vault.owner.publicKey), contested: 0 });
  if (!item?.request) throw new Error('no join request listed');
  expect(openJoinRequest(invitation, item.request)).toEqual({ name: 'Bob', person: 'p-1' });
  // The admin sees the digits over Bob's own keys — the ones Bob's app shows him.
  const bobs = { device: encodeBase64(bob.publicKey), box: encodeBase64(bob.boxKeys.publicKey) };
  expect(invitationFingerprint(invitation, item.request)).toBe(invitationFingerprint(invitation, bobs));
  // Not confirmed yet: nothing for Bob, and the relay says he is waiting.
  expect((await pullGrantsOf(relay().url, bob, invitationPairing(invitation))).vaults).toEqual([]);
  expect(valueOf(await fetchJoinStatus(reach(bob), item.invitation))).toBe('waiting');
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
  // …and once Bob joined, neither a second device nor a decline gets in — and the admin is told.
  expect(failureOf(await sendJoinRequest(reach(mallory), joinAs(mallory, invitation))).number).toBe(
    errorCodes.invitationUsed,
  );
  const listed = async () =>
    valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId)).find(
      (i) => i.invitation === invitationId(invitation.secret),
    );
  expect(await listed()).toMatchObject({
    state: 'joined',
    contested: 1,
    request: { device: encodeBase64(bob.publicKey) },
  });
  expect(failureOf(await sendDecline(reach(mallory), signDecline(invitation))).number).toBe(errorCodes.invitationUsed);
  expect((await listed())?.contested).toBe(2);
  // Bob posting again (after a lock, a new request) is still Bob's, and not counted.
  valueOf(await sendJoinRequest(reach(bob), joinAs(bob, invitation)));
  expect((await listed())?.contested).toBe(2);
  // Mallory learns nothing about the request.
  expect(failureOf(await fetchJoinStatus(reach(mallory), invitationId(invitation.secret))).number).toBe(
    errorCodes.unknownInvitation,
  );
});

test('the admin rejects a joiner: it is told, gets no key, and the code takes nobody after that', async () => {
  const invitation = await invite('admin');
  const id = invitationId(invitation.secret);
  const mallory = createTestDevice();
  valueOf(await sendJoinRequest(reach(mallory), joinAs(mallory, invitation, 'Bob')));
  // A member that is not an admin cannot reject (nor can a stranger).
  expect(failureOf(await rejectJoiner(reach(mallory), vault.vaultId, id)).number).toBe(errorCodes.notAnAdmin);
  valueOf(await rejectJoiner(reach(vault.owner), vault.vaultId, id));
  expect(valueOf(await fetchJoinStatus(reach(mallory), id))).toBe('rejected');
  expect((await pullGrantsOf(relay().url, mallory, invitationPairing(invitation))).vaults).toEqual([]);
  const bob = createTestDevice();
  expect(failureOf(await sendJoinRequest(reach(bob), joinAs(bob, invitation))).number).toBe(errorCodes.invitationUsed);
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
  expect(failureOf(await openInvitationMailbox(reach(outsider), opening(id, expiresAt))).number).toBe(
    errorCodes.notAnAdmin,
  );
  expect(failureOf(await fetchInvitations(reach(outsider), vault.vaultId)).number).toBe(errorCodes.notAnAdmin);
  // An expiry in the past, or beyond the relay's limit, is refused.
  expect(failureOf(await openInvitationMailbox(reach(vault.owner), opening(id, Date.now() - 1))).number).toBe(
    errorCodes.malformedFrame,
  );

  // 50 open invitations per vault (the ones above count): the next ones are refused with the quota code.
  const open = valueOf(await fetchInvitations(reach(vault.owner), vault.vaultId)).length;
  for (let i = open; i < 50; i++) {
    const key = encodeBase64(nacl.sign.keyPair().publicKey);
    valueOf(await openInvitationMailbox(reach(vault.owner), opening(key, expiresAt)));
  }
  expect(failureOf(await openInvitationMailbox(reach(vault.owner), opening(id, expiresAt))).number).toBe(
    errorCodes.quotaExceeded,
  );
});

test('a stranger cannot fill the relay: its invitations are bounded per device, others still invite', async () => {
  // A throw-away key registers vaults of its own (it is their admin) and opens mailboxes as fast as it can.
  const stranger = createTestDevice();
  const { session } = await openRawSession(relay().url, stranger);
  const expiresAt = Date.now() + 60_000;
  let opened = 0;
  let refused: unknown = null;
  for (let v = 0; v < 6 && refused === null; v++) {
    const own = await createVault(stranger, nodeRandom);
    await session.request({ t: 'register', record: own.genesis });
    for (let i = 0; i < 50 && refused === null; i++) {
      const key = encodeBase64(nacl.sign.keyPair().publicKey);
      const request = { t: 'invite', vault: own.vaultId, invitation: key, expiresAt, keep: 'AAAA' } as const;
      await session.request(request).then(
        () => opened++,
        (error: unknown) => (refused = error),
      );
    }
  }
  session.close();
  // The relay's default: 200 open invitations per inviting device (and 50 per vault).
  expect(opened).toBe(200);
  expect(String(refused)).toMatch(/error 2009/);
  // Someone else's admin still invites (before, a relay-wide cap was what two such keys filled).
  const other = await createTestVault();
  const { session: own } = await openRawSession(relay().url, other.owner);
  await own.request({ t: 'register', record: other.genesis });
  own.close();
  await openTestInvitation(reach(other.owner), other);
});
