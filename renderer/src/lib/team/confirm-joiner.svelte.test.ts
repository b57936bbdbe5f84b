import 'fake-indexeddb/auto';
import { expect, test, vi } from 'vitest';
import { valueOf } from '../../../../shared/test-result';
import { invitationPairing } from '../../../../shared/sync/invitation';
import { relayForSuite } from '../../../../tests/integration/sync/renderer-suite';
import { teamSessions, type Device } from '../../../../tests/integration/sync/team-sessions';
import { describeIndicator } from '../sync/sync-status';
import { previewInvitation } from './join-desk.svelte';

// The admin confirms each joiner (three or four sessions of the renderer's store and SyncManager and a
// real relay): nothing is granted before Confirm, a second holder of the code is refused and the admin
// told, Reject reaches the joiner, pending confirmations survive the admin's lock, a Viewer invitation
// may be confirmed automatically, and the invitee takes a grant only from the inviter the code names.

const suite = relayForSuite();
const waitLong = { timeout: 20_000, interval: 50 };
const { device, relock, waitingOn, join } = teamSessions(suite);

async function sharedVault(alice: Device, name = 'Production') {
  const vault = valueOf(await alice.session.createVault(name));
  valueOf(await alice.sync.configure(vault.id, { relayUrl: suite.relay().url, enabled: true }));
  await vi.waitFor(() => expect(describeIndicator(alice.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  return vault;
}

const previewOf = (code: string) => valueOf(previewInvitation(code, Date.now())).invitation;

test('no key before Confirm; a second device with the same code is refused and the admin is told; then Confirm admits the first', async () => {
  const [alice, bob, mallory] = await Promise.all([device('Alice'), device('Bob'), device('Mallory')]);
  const vault = await sharedVault(alice);
  const sent = valueOf(await alice.sync.invites.invite(vault.id, 'admin', 'Production'));
  const invitation = previewOf(sent.code);
  const joining = valueOf(await bob.sync.joins.accept(invitation));
  const waiting = await waitingOn(alice, sent.id);
  expect(waiting).toMatchObject({ inviteeName: 'Bob', fingerprint: joining.fingerprint });
  expect(alice.sync.invites.waitingIn(vault.id)).toHaveLength(1);
  // Waiting: the admin's desk took the request and granted nothing (before, it added Bob by itself).
  const pairing = invitationPairing(invitation);
  const early = valueOf(
    await bob.sync.receiveInvited(invitation.relayUrl, pairing, {
      id: vault.id,
      name: 'x',
      inviterKey: alice.sync.team.me,
    }),
  );
  expect(early.imported).toEqual([]);
  expect(alice.sync.team.rosters[vault.id]?.members.map((m) => m.publicKey)).toEqual([alice.sync.team.me]);

  // Mallory saw the code too: refused, told what to do; Alice sees it was used twice.
  const second = await mallory.sync.joins.accept(previewOf(sent.code));
  expect(second).toMatchObject({
    ok: false,
    error: { message: expect.stringContaining('Someone else already used this code') as unknown },
  });
  await vi.waitFor(() => expect(alice.sync.invites.sent.find((s) => s.id === sent.id)?.contested).toBe(1), waitLong);

  valueOf(await alice.sync.invites.confirm(sent.id));
  await vi.waitFor(() => expect(bob.sync.joins.joins.at(-1)?.state).toBe('joined'), waitLong);
  await vi.waitFor(
    () =>
      expect(alice.sync.team.rosters[vault.id]?.members).toContainEqual({ publicKey: bob.sync.team.me, role: 'admin' }),
    waitLong,
  );
  expect(valueOf(await mallory.session.listVaults())).toHaveLength(0);
});

test('Reject reaches the joiner, which gets nothing; pending confirmations survive the admin locking', async () => {
  const [alice, bob, carol] = await Promise.all([device('Alice'), device('Bob'), device('Carol')]);
  const vault = await sharedVault(alice);
  const forBob = valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production'));
  const forCarol = valueOf(await alice.sync.invites.invite(vault.id, 'reader', 'Production'));
  valueOf(await bob.sync.joins.accept(previewOf(forBob.code)));
  const carolJoin = valueOf(await carol.sync.joins.accept(previewOf(forCarol.code)));
  await waitingOn(alice, forBob.id);
  valueOf(await alice.sync.invites.reject(forBob.id));
  await vi.waitFor(() => expect(bob.sync.joins.joins.at(-1)?.state).toBe('rejected'), waitLong);
  expect(valueOf(await bob.session.listVaults())).toHaveLength(0);

  // Alice locks with Carol waiting; after unlocking, the sealed copy in the relay's mailbox brings it back.
  await waitingOn(alice, forCarol.id);
  const again = await relock(alice);
  const found = await waitingOn(again, forCarol.id);
  expect(found).toMatchObject({ inviteeName: 'Carol', fingerprint: carolJoin.fingerprint, role: 'reader' });
  // The rejected one does not come back as pending.
  expect(again.sync.invites.sent.find((s) => s.id === forBob.id)?.state).not.toBe('waiting');
  await vi.waitFor(() => expect(describeIndicator(again.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  valueOf(await again.sync.invites.confirm(forCarol.id));
  await vi.waitFor(() => expect(carol.sync.joins.joins.at(-1)?.state).toBe('joined'), waitLong);
});

test("a Viewer invitation may be confirmed automatically (never another role); the invitee takes only its inviter's grant", async () => {
  const [alice, dave, bob, carol] = await Promise.all([
    device('Alice'),
    device('Dave'),
    device('Bob'),
    device('Carol'),
  ]);
  const vault = await sharedVault(alice);
  const auto = valueOf(await alice.sync.invites.invite(vault.id, 'reader', 'Production', { autoConfirm: true }));
  expect(auto.autoConfirm).toBe(true);
  valueOf(await carol.sync.joins.accept(previewOf(auto.code)));
  await vi.waitFor(() => expect(carol.sync.joins.joins.at(-1)?.state).toBe('joined'), waitLong);
  expect(
    valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production', { autoConfirm: true })).autoConfirm,
  ).toBe(false);

  // Dave, another admin of the vault, read Alice's code to Bob and grants first: Bob's app refuses it.
  await join(
    dave,
    valueOf(await alice.sync.invites.invite(vault.id, 'admin', 'Production')).code,
    "Alice invites you to 'Production' as Admin",
  );
  const forBob = valueOf(await alice.sync.invites.invite(vault.id, 'writer', 'Production'));
  const invitation = previewOf(forBob.code);
  const identity = { signing: bob.session.identity.signing, box: bob.session.identity.exchange };
  await vi.waitFor(() => expect(dave.sync.team.rightsIn(vault.id).admin).toBe(true), waitLong);
  await vi.waitFor(() => expect(describeIndicator(dave.sync.view(vault.id).indicator)).toBe('Synced'), waitLong);
  valueOf(await dave.sync.admit(vault.id, { identity, ...invitationPairing(invitation) }, 'writer'));
  const received = valueOf(
    await bob.sync.receiveInvited(invitation.relayUrl, invitationPairing(invitation), {
      id: vault.id,
      name: 'Production',
      inviterKey: invitation.inviterKey,
    }),
  );
  expect(received.imported).toEqual([]);
  expect(valueOf(await bob.session.listVaults())).toHaveLength(0);
});
