import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { EntryFailure, EntryResult } from './entry';
import { addEntry } from './entry-create';
import { flagRotation, recordCheck } from './entry-flags';
import type { NewEntryInput } from './entry-input';
import { editEntry } from './entry-mutations';
import { createManualContext } from './test-context';

function failureOf<T>(result: EntryResult<T>): EntryFailure {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

const valid: NewEntryInput = { registry: 'ghcr.io', username: 'alice', secret: 'ghp_token' };
const long = (n: number) => 'x'.repeat(n);

// Each invalid input, the one field it must be reported on, and the sentence shown beside it.
const addCases: readonly [string, Partial<NewEntryInput>, string, RegExp][] = [
  ['registry (unparsable)', { registry: 'https://' }, 'registry', /registry/i],
  ['registry (too long)', { registry: long(1025) }, 'registry', /too long/],
  ['name', { name: long(201) }, 'name', /name under 200/],
  ['username (missing)', { username: '  ' }, 'username', /^Enter the username for this registry\.$/],
  ['username (too long)', { username: long(1025) }, 'username', /username is too long/],
  ['secret (missing)', { secret: ' ' }, 'secret', /^Enter the password, access token or key\.$/],
  ['secret (too long)', { secret: long(64 * 1024 + 1) }, 'secret', /64 KB/],
  ['email', { email: 'not an address' }, 'email', /name@example\.com/],
  ['notes', { notes: long(10_001) }, 'notes', /10,000/],
  ['pipelines', { pipelines: [long(201)] }, 'pipelines', /pipeline name/],
  ['expiresAt', { expiresAt: -1 }, 'expiresAt', /expiry date/],
  ['rotateEveryDays', { rotateEveryDays: 0 }, 'rotateEveryDays', /every day/],
  ['caCertificate', { caCertificate: 'not a pem' }, 'caCertificate', /PEM/],
  ['presetId', { presetId: 'nope' as never }, 'presetId', /./],
  ['insecure', { insecure: 'yes' as never }, 'insecure', /./],
];

describe('entry field errors', () => {
  for (const [label, change, field, sentence] of addCases) {
    it(`reports ${label} as a field error without a field-name prefix`, () => {
      const failure = failureOf(addEntry(new Y.Doc(), { ...valid, ...change }, createManualContext('a')));
      expect(failure.fields?.map((f) => f.field)).toEqual([field]);
      const message = failure.fields?.[0]?.message ?? '';
      expect(message).toMatch(sentence);
      expect(message).not.toMatch(/^[A-Za-z.\d]+: /);
      expect(failure.message).toBe(message);
    });
  }

  it('reports every wrong field of one input, each once', () => {
    const failure = failureOf(
      addEntry(
        new Y.Doc(),
        { ...valid, email: 'x', notes: long(10_001), pipelines: [long(201), long(201)] },
        createManualContext('a'),
      ),
    );
    expect(failure.code).toBe('invalid-input');
    expect(failure.fields?.map((f) => f.field)).toEqual(['email', 'notes', 'pipelines']);
  });

  it('reports a duplicate registry and a changed registry on the registry field', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('a');
    const first = addEntry(doc, valid, ctx);
    if (!first.ok) throw new Error(first.error.message);
    const duplicate = failureOf(addEntry(doc, { ...valid, registry: 'https://ghcr.io/' }, ctx));
    expect(duplicate.code).toBe('registry-exists');
    expect(duplicate.fields?.map((f) => f.field)).toEqual(['registry']);
    const moved = failureOf(editEntry(doc, first.value.id, { registry: 'quay.io' }, ctx));
    expect(moved.code).toBe('registry-immutable');
    expect(moved.fields?.map((f) => f.field)).toEqual(['registry']);
    const blank = failureOf(editEntry(doc, first.value.id, { username: ' ' }, ctx));
    expect(blank.fields).toEqual([{ field: 'username', message: 'Enter the username for this registry.' }]);
    const email = failureOf(editEntry(doc, first.value.id, { email: 'nope' }, ctx));
    expect(email.fields?.map((f) => f.field)).toEqual(['email']);
  });

  it('reports a blank rotation reason and a malformed check on their own fields', () => {
    const doc = new Y.Doc();
    const ctx = createManualContext('a');
    expect(failureOf(flagRotation(doc, ['x'], ' ', ctx)).fields).toEqual([
      { field: 'reason', message: 'Say why the secret should be rotated.' },
    ]);
    const check = failureOf(
      recordCheck(doc, 'x', { at: -5, ok: true, code: 'ok', message: '' }, createManualContext('a')),
    );
    expect(check.fields?.map((f) => f.field)).toEqual(['check']);
  });
});
