// The mailbox's rules over a real (in-memory) SQLite store; tests/integration/relay-pg runs them across
// relay nodes on PostgreSQL, tests/integration/sync/invitations.test.ts through a relay process.
import { expect, test } from 'vitest';
import type { WireJoinRequest } from '../shared/sync/invitation-wire';
import { createInvitationMailbox, type MailboxLimits } from './invitation-mailbox';
import { asyncStoreOver, openRelayDatabase } from './sqlite-store';

const request = (invitation: string, device: string, sig = 's1'): WireJoinRequest =>
  ({ invitation, device, box: 'b', nonce: 'n', sealed: 'x', sig }) as WireJoinRequest;

const roomy: MailboxLimits = { perVault: 5, perInviter: 100, maxTtlMs: 10_000 };

function mailboxAt(now: () => number, limits?: MailboxLimits) {
  const store = asyncStoreOver(openRelayDatabase(':memory:', 'normal'));
  const mailbox = createInvitationMailbox(store, now, limits);
  const open = (vault: string, invitation: string, expiresAt: number, inviter = 'alice') =>
    mailbox.open({ vault, invitation, expiresAt, inviter, keep: `kept-${invitation}` });
  return { ...mailbox, open };
}

test('an invitation expires: a join after its deadline finds nothing, and it leaves the list', async () => {
  let now = 1000;
  const mailbox = mailboxAt(() => now, roomy);
  expect(await mailbox.open('v', 'inv', 5000)).toBeNull();
  now = 5000;
  expect(await mailbox.join(request('inv', 'd'))).toBe('unknown');
  expect(await mailbox.list('v', () => false)).toEqual([]);
});

test('expiry in the past or beyond the limit is refused', async () => {
  const mailbox = mailboxAt(() => 1000, roomy);
  expect(await mailbox.open('v', 'a', 1000)).toBe('bad-expiry');
  expect(await mailbox.open('v', 'a', 11_001)).toBe('bad-expiry');
});

test('one device per invitation: it may post again, another device is refused and counted for the admin', async () => {
  const mailbox = mailboxAt(() => 0);
  await mailbox.open('v', 'inv', 60_000);
  expect(await mailbox.join(request('inv', 'bob'))).toBeNull();
  // Bob again (a new request after a lock): still his.
  expect(await mailbox.join(request('inv', 'bob', 's3'))).toBeNull();
  expect(await mailbox.join(request('inv', 'mallory', 's2'))).toBe('used');
  expect(await mailbox.decline('inv')).toBe('used');
  expect((await mailbox.list('v', () => false))[0]).toMatchObject({
    state: 'joined',
    request: { device: 'bob', sig: 's3' },
    inviter: 'alice',
    keep: 'kept-inv',
    contested: 2,
  });
  expect(await mailbox.joinStatus('inv', 'bob')).toBe('waiting');
  expect(await mailbox.joinStatus('inv', 'mallory')).toBeUndefined();
  // Confirmed (bob is a member now): dropped from the list.
  expect(await mailbox.list('v', (d) => d === 'bob')).toEqual([]);
  expect(await mailbox.vaultOf('inv')).toBeUndefined();
});

test('a rejected joiner is told, and the code takes nobody after that', async () => {
  const mailbox = mailboxAt(() => 0);
  await mailbox.open('v', 'inv', 60_000);
  expect(await mailbox.join(request('inv', 'mallory'))).toBeNull();
  expect(await mailbox.reject('w', 'inv')).toBe('unknown');
  expect(await mailbox.reject('v', 'inv')).toBeNull();
  expect(await mailbox.joinStatus('inv', 'mallory')).toBe('rejected');
  expect(await mailbox.join(request('inv', 'mallory', 's9'))).toBe('used');
  expect(await mailbox.join(request('inv', 'bob', 's2'))).toBe('used');
  // A rejected joiner is never "confirmed": it stays listed as rejected even if it became a member otherwise.
  expect((await mailbox.list('v', (d) => d === 'mallory'))[0]).toMatchObject({ state: 'rejected', contested: 1 });
});

test('flooding: open invitations are bounded per vault and per inviting device, not relay-wide', async () => {
  const mailbox = mailboxAt(() => 0, { perVault: 2, perInviter: 3, maxTtlMs: 60_000 });
  expect(await mailbox.open('v', 'a', 1000)).toBeNull();
  expect(await mailbox.open('v', 'b', 1000)).toBeNull();
  expect(await mailbox.open('v', 'c', 1000)).toBe('too-many');
  expect(await mailbox.open('w', 'c', 1000)).toBeNull();
  // Alice holds three: her fourth is refused — another admin still invites to its own vault.
  expect(await mailbox.open('x', 'd', 1000)).toBe('too-many');
  expect(await mailbox.open('x', 'd', 1000, 'carol')).toBeNull();
  // The same id cannot be taken over for another vault; opening it again for its own vault is fine.
  expect(await mailbox.open('w', 'a', 1000, 'carol')).toBe('used');
  expect(await mailbox.open('v', 'a', 1000)).toBeNull();
});

test('a declined invitation takes no join', async () => {
  const mailbox = mailboxAt(() => 0);
  await mailbox.open('v', 'inv', 60_000);
  expect(await mailbox.decline('inv')).toBeNull();
  expect(await mailbox.join(request('inv', 'bob'))).toBe('used');
  expect((await mailbox.list('v', () => false))[0]?.state).toBe('declined');
});

test('expired invitations stop counting against the limits', async () => {
  let now = 0;
  const mailbox = mailboxAt(() => now, { perVault: 1, perInviter: 10, maxTtlMs: 60_000 });
  expect(await mailbox.open('v', 'a', 1000)).toBeNull();
  expect(await mailbox.open('v', 'b', 2000)).toBe('too-many');
  now = 1000;
  expect(await mailbox.open('v', 'b', 2000)).toBeNull();
  expect((await mailbox.list('v', () => false)).map((item) => item.invitation)).toEqual(['b']);
});
