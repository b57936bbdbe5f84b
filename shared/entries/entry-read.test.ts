import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry } from './entry-create';
import { decodeEntry, getEntryMap, parseStoredEntry, SECRETS_FIELD } from './entry-doc';
import { readStoredEntry } from './entry-read';
import { createManualContext } from './test-context';

// The fast reader may only skip the schema where the schema's answer is certain: whatever it accepts must
// read exactly as the schema reads it, and whatever is unusual is left to the schema.

function storedEntry(fields: Readonly<Record<string, unknown>>): Y.Map<unknown> {
  const doc = new Y.Doc();
  const ctx = createManualContext('alice');
  const added = addEntry(doc, { registry: 'ghcr.io', name: 'CI', username: 'bot', secret: 's3cret' }, ctx);
  if (!added.ok) throw new Error(added.error.message);
  const map = getEntryMap(doc, added.value.id) as Y.Map<unknown>;
  doc.transact(() => {
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) map.delete(name);
      else map.set(name, value);
    }
  });
  return map;
}

const complete = {
  email: 'ci@example.com',
  caCertificate: '-----BEGIN CERTIFICATE-----',
  expiresAt: 1_800_000_000_000,
  rotateEveryDays: 90,
  insecure: true,
  presetId: 'ghcr',
  lastCheck: { at: 1_700_000_000_000, ok: false, code: 'unauthorized', message: 'No.', extra: 'dropped' },
  rotationRecommended: { reason: 'A member left', at: 1_700_000_000_001 },
  pipelines: ['build', 'deploy'],
  repositories: ['team/api', 'team/web:1.4'],
  pullOnly: true,
  expiresFrom: 'jwt',
  unknownField: 'ignored by both',
};

describe('readStoredEntry', () => {
  it.each([
    ['a minimal entry', {}],
    ['an entry with every optional field (unknown keys dropped, as the schema drops them)', complete],
  ])('reads %s exactly as the schema does', (_, fields) => {
    const map = storedEntry(fields);
    const fast = readStoredEntry(map, SECRETS_FIELD);
    expect(fast).toBeDefined();
    expect(fast).toStrictEqual(parseStoredEntry(map));
  });

  it.each([
    ['an unknown preset', { presetId: 'from-a-newer-version' }],
    ['a negative date', { createdAt: -1 }],
    ['a fractional date', { updatedAt: 1.5 }],
    ['an empty registry', { registry: '' }],
    ['a missing name', { name: undefined }],
    ['a number as username', { username: 42 }],
    ['a pipeline that is not text', { pipelines: ['ok', 7] }],
    ['a zero rotation period', { rotateEveryDays: 0 }],
    ['a repository that is not text', { repositories: ['team/api', 3] }],
    ['pull only as text', { pullOnly: 'yes' }],
    ['an expiry source from a newer version', { expiresFrom: 'oidc' }],
    ['a last check without its code', { lastCheck: { at: 1, ok: true, message: '' } }],
    ['a rotation flag that is an array', { rotationRecommended: ['x'] }],
    ['a secret version of the wrong shape', { [SECRETS_FIELD]: new Y.Map([['v1', { value: 1, at: 0, by: 'x' }]]) }],
    ['no secret version', { [SECRETS_FIELD]: new Y.Map() }],
    ['secrets stored as a plain object', { [SECRETS_FIELD]: { v1: { value: 's', at: 0, by: 'x' } } }],
  ])('leaves %s to the schema, and decodeEntry gives the schema’s verdict', (_, fields) => {
    const map = storedEntry(fields);
    expect(readStoredEntry(map, SECRETS_FIELD)).toBeUndefined();
    const bySchema = parseStoredEntry(map);
    const decoded = decodeEntry('id-1', map);
    expect(decoded === undefined).toBe(bySchema === undefined);
    if (bySchema) expect(decoded?.entry).toMatchObject(bySchema.fields);
  });

  it('decodes an unknown preset as no preset, the rest of the entry intact', () => {
    const decoded = decodeEntry('id-1', storedEntry({ presetId: 'from-a-newer-version' }));
    expect(decoded?.entry.presetId).toBeUndefined();
    expect(decoded?.entry.name).toBe('CI');
  });
});
