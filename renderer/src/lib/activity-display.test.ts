import { describe, expect, test } from 'vitest';
import type { EntryActivity } from '../../../shared/entries/activity';
import {
  describeActivity,
  describeActivityList,
  describeChangedBy,
  describeMemberEvent,
  describeRefused,
  nameActor,
} from './activity-display';

const names = { 'alice-key': 'Alice' };
const nameOf = (actor: string) => nameActor(actor, 'me-key', names);
const item = (action: EntryActivity['action'], registries: string[]): EntryActivity => ({
  action,
  entries: registries.map((_, i) => `id-${i}`),
  registries,
  by: 'alice-key',
  at: 0,
});

describe('activity in words', () => {
  test('names: this device is "You", members by name, others by the start of their key', () => {
    expect(['me-key', 'alice-key', 'QmFzZTY0S2V5WFla', 'this device'].map(nameOf)).toEqual([
      'You',
      'Alice',
      'Device QmFzZTY0',
      'A device of this vault',
    ]);
  });

  test('each action, one registry or several, Docker Hub by its short name', () => {
    expect(
      [
        item('added', ['ghcr.io']),
        item('edited', ['quay.io']),
        item('rotated', ['https://index.docker.io/v1/', 'ghcr.io', 'gcr.io']),
        item('deleted', ['']),
      ].map((i) => describeActivity(i, nameOf)),
    ).toEqual([
      'Alice added ghcr.io',
      'Alice edited quay.io',
      'Alice rotated the secret of docker.io and 2 more',
      'Alice deleted a damaged entry',
    ]);
  });

  test('member changes read from the signed record; an item naming a record signed by someone else is not shown', () => {
    const event = (
      index: number,
      subject: string,
      action: 'add' | 'remove',
      role: 'writer' | 'manager',
      before?: 'writer',
    ) => ({
      index,
      signer: 'alice-key',
      subject,
      action,
      role,
      before,
    });
    const events = [
      {
        index: 0,
        signer: 'alice-key',
        subject: 'alice-key',
        action: 'add' as const,
        role: 'admin' as const,
        before: undefined,
      },
      event(1, 'bob-key', 'add', 'writer'),
      event(2, 'bob-key', 'add', 'manager', 'writer'),
      event(3, 'bob-key', 'remove', 'writer'),
      {
        index: 4,
        signer: 'alice-key',
        subject: 'commitment',
        action: 'rotate' as const,
        role: 'admin' as const,
        before: undefined,
        epoch: 1,
      },
      {
        index: 5,
        signer: 'carol-key',
        subject: 'carol-key',
        action: 'remove' as const,
        role: 'reader' as const,
        before: undefined,
      },
    ];
    const at = (record: number, by = 'alice-key') => ({ action: 'member' as const, record, by, at: record });
    const [left] = events.slice(5);
    if (left) expect(describeMemberEvent(left, nameOf)).toBe('Device carol-ke left');
    expect(describeActivityList([at(4), at(3), at(2), at(1), at(0), at(1, 'mallory-key')], events, nameOf)).toEqual([
      { text: 'Alice changed the vault key', at: 4 },
      { text: 'Alice removed Device bob-key', at: 3 },
      { text: 'Alice changed the role of Device bob-key from Editor to Manager', at: 2 },
      { text: 'Alice added Device bob-key as Editor', at: 1 },
      { text: 'Alice created the vault', at: 0 },
    ]);
  });

  test('refused changes and "Changed by"', () => {
    const refused = {
      seq: 4,
      author: 'alice-key',
      counter: 2,
      reason: 'deletes an entry without the delete permission',
    };
    expect(describeRefused(refused, nameOf)).toBe(
      'Refused a change by Alice: it deletes an entry without the delete permission.',
    );
    const mine = { seq: 0, author: 'me-key', counter: 0, reason: 'claims another member in updatedBy' } as const;
    expect(describeRefused({ ...mine, own: true, local: true }, nameOf)).toBe(
      'Your change was not sent: it claims another member in updatedBy. It stays on this device only.',
    );
    expect(describeRefused({ ...mine, seq: 9, own: true }, nameOf)).toBe(
      "Your team's apps refused your change: it claims another member in updatedBy. It stays on this device only.",
    );
    expect(describeChangedBy('me-key', 0, nameOf, () => '29 Nov 2026')).toBe('Changed by You, 29 Nov 2026');
  });
});
