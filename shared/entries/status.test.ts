import { describe, expect, it } from 'vitest';
import type { Entry } from './entry';
import { describeBadge, entryBadges, entryStatus, expiresSoonWindow, needsRotation, rotationDueAt } from './status';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 0, 1);

function makeEntry(fields: Partial<Entry> = {}): Entry {
  return {
    id: 'e1',
    registry: 'ghcr.io',
    name: 'ghcr.io',
    username: 'u',
    secret: 's',
    secretUpdatedAt: T0,
    notes: '',
    pipelines: [],
    createdAt: T0,
    updatedAt: T0,
    createdBy: 'a',
    updatedBy: 'a',
    ...fields,
  };
}

describe('entryStatus', () => {
  it('shows nothing for a plain entry', () => {
    expect(entryStatus(makeEntry(), T0 + 400 * DAY)).toEqual([]);
  });

  it('marks an expired entry at and after expiresAt', () => {
    const entry = makeEntry({ expiresAt: T0 + 30 * DAY });
    expect(entryStatus(entry, T0 + 30 * DAY)).toEqual(['expired']);
    expect(entryStatus(entry, T0 + 31 * DAY)).toEqual(['expired']);
  });

  it('warns a day ahead for long-lived secrets', () => {
    const entry = makeEntry({ expiresAt: T0 + 90 * DAY });
    expect(entryStatus(entry, T0 + 89 * DAY - 1)).toEqual([]);
    expect(entryStatus(entry, T0 + 89 * DAY)).toEqual(['expires-soon']);
  });

  it('warns within the last quarter of a short-lived token (ECR 12 h → 3 h, Entra 3 h → 45 min)', () => {
    const ecr = makeEntry({ expiresAt: T0 + 12 * HOUR });
    expect(expiresSoonWindow(ecr)).toBe(3 * HOUR);
    expect(entryStatus(ecr, T0 + 1 * HOUR)).toEqual([]);
    expect(entryStatus(ecr, T0 + 9 * HOUR - 1)).toEqual([]);
    expect(entryStatus(ecr, T0 + 9 * HOUR)).toEqual(['expires-soon']);
    const entra = makeEntry({ expiresAt: T0 + 3 * HOUR });
    expect(expiresSoonWindow(entra)).toBe(45 * 60_000);
    expect(expiresSoonWindow(makeEntry())).toBe(0);
    // An expiry set before the secret's own timestamp (clock skew between peers) falls back to 24 h.
    expect(expiresSoonWindow(makeEntry({ expiresAt: T0 - 1 }))).toBe(DAY);
  });

  it('shows rotation due once rotateEveryDays have passed since the secret changed', () => {
    const entry = makeEntry({ rotateEveryDays: 90, secretUpdatedAt: T0 + 10 * DAY });
    expect(rotationDueAt(entry)).toBe(T0 + 100 * DAY);
    expect(entryStatus(entry, T0 + 100 * DAY - 1)).toEqual([]);
    expect(entryStatus(entry, T0 + 100 * DAY)).toEqual(['rotation-due']);
    expect(rotationDueAt(makeEntry())).toBeUndefined();
  });

  it('shows check results and the rotation flag, most urgent first', () => {
    const failed = makeEntry({
      lastCheck: { at: T0, ok: false, code: 'unauthorized', message: 'Verify username is correct' },
      rotationRecommended: { reason: 'bob left', at: T0 },
      expiresAt: T0 + HOUR,
    });
    expect(entryStatus(failed, T0 + 2 * HOUR)).toEqual(['expired', 'check-failed', 'rotation-recommended']);
    const passed = makeEntry({
      lastCheck: { at: T0, ok: true, code: 'ok', message: 'Logged in' },
      expiresAt: T0 + DAY * 10,
    });
    expect(entryStatus(passed, T0)).toEqual(['check-ok']);
    expect(entryStatus(passed, T0 + DAY * 10)).toEqual(['expired']);
  });

  it('"Needs rotation": a rotation flag, or a rotation that is due; nothing else', () => {
    expect(needsRotation(makeEntry({ rotationRecommended: { reason: 'Carol had access', at: T0 } }), T0)).toBe(true);
    const scheduled = makeEntry({ rotateEveryDays: 90, secretUpdatedAt: T0 });
    expect(needsRotation(scheduled, T0 + 90 * DAY - 1)).toBe(false);
    expect(needsRotation(scheduled, T0 + 90 * DAY)).toBe(true);
    expect(needsRotation(makeEntry({ expiresAt: T0 }), T0 + DAY)).toBe(false);
  });

  it('has a label for every badge', () => {
    expect(entryBadges.map(describeBadge)).toEqual([
      'Expired',
      'Expires soon',
      'Login failed',
      'Rotation recommended',
      'Rotation due',
      'Login OK',
    ]);
  });
});
