// The mailbox's rules over a real (in-memory) SQLite store; tests/integration/relay-pg runs them across
// relay nodes on PostgreSQL, tests/integration/sync/invitations.test.ts through a relay process.
import { expect, test } from 'vitest';
import type { WireJoinRequest } from '../shared/sync/invitation-wire';
import { createInvitationMailbox, type MailboxLimits } from './invitation-mailbox';
import { asyncStoreOver, openRelayDatabase } from './sqlite-store';

const request = (invitation: string, device: string, sig = 's1'): WireJoinRequest =>
  ({ invitation, device, box: 'b', nonce: 'n', sealed: 'x', sig }) as WireJoinRequest;

function mailboxAt(now: () => number, limits?: MailboxLimits) {
  const store = asyncStoreOver(openRelayDatabase(':memory:', 'normal'));
  return createInvitationMailbox(store, now, limits);
}

test('an invitation expires: a join after its deadline finds nothing, and it leaves the list', async () => {
  let now = 1000;
  const mailbox = mailboxAt(() => now, { perVault: 5, maxTtlMs: 10_000, total: 100 });
  expect(await mailbox.open('v', 'inv', 5000)).toBeNull();
  now = 5000;
  expect(await mailbox.join(request('inv', 'd'))).toBe('unknown');
  expect(await mailbox.list('v', () => false)).toEqual([]);
});

test('expiry in the past or beyond the limit is refused', async () => {
  const mailbox = mailboxAt(() => 1000, { perVault: 5, maxTtlMs: 10_000, total: 100 });
  expect(await mailbox.open('v', 'a', 1000)).toBe('bad-expiry');
  expect(await mailbox.open('v', 'a', 11_001)).toBe('bad-expiry');
});

test('one device per invitation: the same request again is fine, another one or a decline after it is not', async () => {
  const mailbox = mailboxAt(() => 0);
  await mailbox.open('v', 'inv', 60_000);
  expect(await mailbox.join(request('inv', 'bob'))).toBeNull();
  expect(await mailbox.join(request('inv', 'bob'))).toBeNull();
  expect(await mailbox.join(request('inv', 'mallory', 's2'))).toBe('used');
  expect(await mailbox.decline('inv')).toBe('used');
  expect((await mailbox.list('v', () => false))[0]).toMatchObject({ state: 'joined', request: { device: 'bob' } });
  // Completed (bob is a member now): dropped from the list.
  expect(await mailbox.list('v', (d) => d === 'bob')).toEqual([]);
  expect(await mailbox.vaultOf('inv')).toBeUndefined();
});

test('flooding: open invitations are bounded per vault and in all', async () => {
  const mailbox = mailboxAt(() => 0, { perVault: 2, maxTtlMs: 60_000, total: 3 });
  expect(await mailbox.open('v', 'a', 1000)).toBeNull();
  expect(await mailbox.open('v', 'b', 1000)).toBeNull();
  expect(await mailbox.open('v', 'c', 1000)).toBe('too-many');
  expect(await mailbox.open('w', 'c', 1000)).toBeNull();
  expect(await mailbox.open('x', 'd', 1000)).toBe('too-many');
  // The same id cannot be taken over for another vault; opening it again for its own vault is fine.
  expect(await mailbox.open('w', 'a', 1000)).toBe('used');
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
  const mailbox = mailboxAt(() => now, { perVault: 1, maxTtlMs: 60_000, total: 10 });
  expect(await mailbox.open('v', 'a', 1000)).toBeNull();
  expect(await mailbox.open('v', 'b', 2000)).toBe('too-many');
  now = 1000;
  expect(await mailbox.open('v', 'b', 2000)).toBeNull();
  expect((await mailbox.list('v', () => false)).map((item) => item.invitation)).toEqual(['b']);
});
