import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, getEntry, recordCheck, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import {
  PIPELINES_WARNING,
  describeCount,
  describeEntryDeletion,
  describeVaultDeletion,
  toRowView,
} from './entry-display';
import { valueOf } from '../../../shared/test-result';

const HOUR = 3_600_000;

function ecrEntry(): { entry: Entry; now: number } {
  const ctx = createManualContext('alice');
  const doc = new Y.Doc();
  const entry = valueOf(
    addEntry(
      doc,
      { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', secret: 't', pipelines: ['deploy'] },
      ctx,
    ),
  );
  return { entry, now: ctx.now() };
}

describe('badgeViews', () => {
  it('shows a fresh ECR token as expiring in 12 h, then Expires soon, then Expired', () => {
    const { entry, now } = ecrEntry();
    expect(toRowView(entry, now).badges).toEqual([
      expect.objectContaining({ key: 'expires-later', label: 'Expires in 12 h', tone: 'info' }),
    ]);
    expect(toRowView(entry, now + 10 * HOUR).badges).toEqual([
      expect.objectContaining({ label: 'Expires soon', tone: 'warn' }),
    ]);
    const expired = toRowView(entry, now + 12 * HOUR).badges;
    expect(expired).toEqual([expect.objectContaining({ label: 'Expired', tone: 'danger' })]);
    expect(expired[0]?.title).toContain('regenerate the authorization token');
  });

  it('shows a rotation flag with its reason next to the badge', () => {
    const { entry, now } = ecrEntry();
    const flagged = { ...entry, rotationRecommended: { reason: 'Carol had access', at: now } };
    const badge = toRowView(flagged, now).badges.find((b) => b.key === 'rotation-recommended');
    expect(badge).toMatchObject({ label: 'Rotation recommended', note: 'Carol had access', tone: 'warn' });
    expect(toRowView(entry, now).badges.some((b) => b.note !== undefined)).toBe(false);
  });

  it('explains a failed check with the check message, and has no badge for a plain entry', () => {
    const ctx = createManualContext('alice');
    const doc = new Y.Doc();
    const plain = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'u', secret: 's' }, ctx));
    expect(toRowView(plain, ctx.now()).badges).toEqual([]);
    valueOf(
      recordCheck(
        doc,
        plain.id,
        {
          at: ctx.now(),
          ok: false,
          code: 'unauthorized',
          message: 'Check if password/token has expired',
        },
        ctx,
      ),
    );
    const checked = valueOf(getEntry(doc, plain.id));
    expect(toRowView(checked, ctx.now()).badges).toEqual([
      expect.objectContaining({
        label: 'Login failed',
        tone: 'danger',
        title: 'Check if password/token has expired',
      }),
    ]);
  });
});

describe('the login-check line', () => {
  it('says Not verified until a check ran, then when it ran, and for a failure the message to show', () => {
    const ctx = createManualContext('alice');
    const doc = new Y.Doc();
    const entry = valueOf(addEntry(doc, { registry: 'ghcr.io', username: 'u', secret: 's' }, ctx));
    expect(toRowView(entry, ctx.now()).check).toMatchObject({ kind: 'none', text: 'Not verified' });
    expect(toRowView(entry, ctx.now()).check.kind).toBe('none');

    const at = ctx.now();
    valueOf(recordCheck(doc, entry.id, { at, ok: true, code: 'ok', message: 'Logged in to ghcr.io as u.' }, ctx));
    const passed = valueOf(getEntry(doc, entry.id));
    expect(toRowView(passed, at + 5 * 60_000).check).toMatchObject({
      kind: 'ok',
      text: 'checked 5 min ago',
      title: expect.stringMatching(/^Logged in successfully /),
    });

    const message = 'ghcr.io rejected the credentials for u (HTTP 401). Check if password/token has expired.';
    valueOf(recordCheck(doc, entry.id, { at, ok: false, code: 'unauthorized', message }, ctx));
    const failed = valueOf(getEntry(doc, entry.id));
    expect(toRowView(failed, at).check).toMatchObject({ kind: 'failed', text: 'checked just now', detail: message });
  });

  it('describes how long ago a check ran', () => {
    const { entry } = ecrEntry();
    const age = (at: number, now: number) =>
      toRowView({ ...entry, lastCheck: { at, ok: true, code: 'ok', message: 'ok' } }, now).check.text;
    expect(age(0, 59_000)).toBe('checked just now');
    expect(age(1000, 0)).toBe('checked just now');
    expect(age(0, 2 * 60_000)).toBe('checked 2 min ago');
    expect(age(0, 3 * HOUR)).toBe('checked 3 h ago');
    expect(age(0, 24 * HOUR)).toBe('checked 1 day ago');
    expect(age(0, 50 * 24 * HOUR)).toBe('checked 50 days ago');
  });
});

describe('row and dialog text', () => {
  it('shows Docker Hub as docker.io and names the preset', () => {
    const ctx = createManualContext('alice');
    const entry = valueOf(
      addEntry(new Y.Doc(), { registry: 'index.docker.io', username: 'u', secret: 'dckr_pat_x' }, ctx),
    );
    expect(toRowView(entry, ctx.now())).toMatchObject({
      registry: 'docker.io',
      kind: 'Docker Hub',
      name: 'docker.io',
      pipelines: '',
    });
  });

  it('names the pipelines a deletion breaks, or gives the seed warning when none are listed', () => {
    const { entry } = ecrEntry();
    expect(describeEntryDeletion(entry)).toBe(
      'Pipelines using this registry will fail: deploy. Update their configurations before deleting.',
    );
    expect(describeEntryDeletion({ ...entry, pipelines: [] })).toBe(PIPELINES_WARNING);
  });

  it('counts entries and time left in words', () => {
    expect(describeCount(3, 10, true)).toBe('3 of 10');
    expect(describeCount(10, 10, false)).toBe('10 registries');
    expect(describeCount(1, 1, false)).toBe('1 registry');
    const { entry, now } = ecrEntry();
    // A hand-set expiry far enough ahead not to be "soon" is shown as time left.
    const later = { ...entry, presetId: undefined, expiresAt: now + 30 * 24 * HOUR };
    expect(toRowView(later, now).badges.map((b) => b.label)).toEqual(['Expires in 30 days']);
    expect(describeVaultDeletion('Staging', 2)).toBe(
      'The vault “Staging” holds 2 registries. Deleting it removes them from this device.',
    );
    expect(describeVaultDeletion('Empty', 0)).toContain('holds no registries');
  });
});
