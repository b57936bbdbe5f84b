import { expect, test } from 'vitest';
import type { WireJoinRequest } from '../shared/sync/invitation-wire';
import { InvitationMailbox } from './invitation-mailbox';

const request = (invitation: string, device: string, sig = 's1'): WireJoinRequest =>
  ({ invitation, device, box: 'b', nonce: 'n', sealed: 'x', sig }) as WireJoinRequest;

test('an invitation expires: a join after its deadline finds nothing, and it leaves the list', () => {
  let now = 1000;
  const mailbox = new InvitationMailbox(() => now, { perVault: 5, maxTtlMs: 10_000, total: 100 });
  expect(mailbox.open('v', 'inv', 5000)).toBeNull();
  now = 5000;
  expect(mailbox.join(request('inv', 'd'))).toBe('unknown');
  expect(mailbox.list('v', () => false)).toEqual([]);
});

test('expiry in the past or beyond the limit is refused', () => {
  const mailbox = new InvitationMailbox(() => 1000, { perVault: 5, maxTtlMs: 10_000, total: 100 });
  expect(mailbox.open('v', 'a', 1000)).toBe('bad-expiry');
  expect(mailbox.open('v', 'a', 11_001)).toBe('bad-expiry');
});

test('one device per invitation: the same request again is fine, another one or a decline after it is not', () => {
  const mailbox = new InvitationMailbox(() => 0);
  mailbox.open('v', 'inv', 60_000);
  expect(mailbox.join(request('inv', 'bob'))).toBeNull();
  expect(mailbox.join(request('inv', 'bob'))).toBeNull();
  expect(mailbox.join(request('inv', 'mallory', 's2'))).toBe('used');
  expect(mailbox.decline('inv')).toBe('used');
  expect(mailbox.list('v', () => false)[0]).toMatchObject({ state: 'joined', request: { device: 'bob' } });
  // Completed (bob is a member now): dropped from the list.
  expect(mailbox.list('v', (d) => d === 'bob')).toEqual([]);
});

test('flooding: open invitations are bounded per vault and in all', () => {
  const mailbox = new InvitationMailbox(() => 0, { perVault: 2, maxTtlMs: 60_000, total: 3 });
  expect(mailbox.open('v', 'a', 1000)).toBeNull();
  expect(mailbox.open('v', 'b', 1000)).toBeNull();
  expect(mailbox.open('v', 'c', 1000)).toBe('too-many');
  expect(mailbox.open('w', 'c', 1000)).toBeNull();
  expect(mailbox.open('x', 'd', 1000)).toBe('too-many');
  // The same id cannot be taken over for another vault.
  expect(mailbox.open('w', 'a', 1000)).toBe('used');
});

test('a declined invitation takes no join', () => {
  const mailbox = new InvitationMailbox(() => 0);
  mailbox.open('v', 'inv', 60_000);
  expect(mailbox.decline('inv')).toBeNull();
  expect(mailbox.join(request('inv', 'bob'))).toBe('used');
  expect(mailbox.list('v', () => false)[0]?.state).toBe('declined');
});
