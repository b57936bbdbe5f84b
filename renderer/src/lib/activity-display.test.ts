import { describe, expect, test } from 'vitest';
import type { ActivityItem } from '../../../shared/entries/activity';
import { describeActivity, describeChangedBy, describeRefused, nameActor } from './activity-display';

const names = { 'alice-key': 'Alice' };
const nameOf = (actor: string) => nameActor(actor, 'me-key', names);
const item = (action: ActivityItem['action'], registries: string[]): ActivityItem => ({
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
    expect(describeChangedBy('me-key', 0, nameOf, () => '29 Nov 2026')).toBe('Changed by You, 29 Nov 2026');
  });
});
