import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DOCKER_HUB_KEY } from '../registry/registry-key';
import { REGISTRY_IMMUTABLE_MESSAGE, type Entry } from './entry';
import { getEntriesMap } from './entry-doc';
import { addEntries, addEntry } from './entry-create';
import { deleteEntry, editEntry, findEntriesByRegistry, getEntry } from './entry-mutations';
import { recordCheck, flagRotation } from './entry-flags';
import { createManualContext } from './test-context';
import { failureOf, valueOf } from '../test-result';

const HOUR = 3_600_000;

function setup() {
  const doc = new Y.Doc();
  const ctx = createManualContext('alice');
  const add = (registry: string, extra: object = {}): Entry =>
    valueOf(addEntry(doc, { registry, username: 'alice', secret: 'token-1', ...extra }, ctx));
  return { doc, ctx, add };
}

describe('addEntry', () => {
  it('stores the normalized key, a default name, the author and the time', () => {
    const { doc, ctx } = setup();
    const entry = valueOf(addEntry(doc, { registry: ' https://GHCR.io/ ', username: ' alice ', secret: 'ghp_x' }, ctx));
    expect(entry).toMatchObject({
      registry: 'ghcr.io',
      name: 'ghcr.io',
      username: 'alice',
      secret: 'ghp_x',
      notes: '',
      pipelines: [],
      createdAt: ctx.now(),
      updatedAt: ctx.now(),
      secretUpdatedAt: ctx.now(),
      createdBy: 'alice',
      updatedBy: 'alice',
      presetId: 'ghcr',
    });
    expect(getEntriesMap(doc).get(entry.id)).toBeInstanceOf(Y.Map);
  });

  it('refuses a second entry for the same registry however it is typed', () => {
    const { doc, ctx, add } = setup();
    add('index.docker.io', { name: 'Hub CI' });
    const error = failureOf(addEntry(doc, { registry: 'docker.io', username: 'bob', secret: 's' }, ctx));
    expect(error.code).toBe('registry-exists');
    expect(error.message).toContain('docker.io already has an entry ("Hub CI")');
    expect(findEntriesByRegistry(doc, DOCKER_HUB_KEY)).toHaveLength(1);
  });

  it('refuses an invalid registry URL with the reason and hint', () => {
    const { doc, ctx } = setup();
    const error = failureOf(addEntry(doc, { registry: 'hub.docker.com', username: 'a', secret: 's' }, ctx));
    const message =
      'hub.docker.com is the Docker Hub website, not its registry. For Docker Hub, use docker.io not hub.docker.com';
    expect(error).toEqual({ code: 'registry-invalid', message, fields: [{ field: 'registry', message }] });
    expect(getEntriesMap(doc).size).toBe(0);
  });

  it('fills ECR username AWS and a 12 h expiry, unless an expiry is given', () => {
    const { doc, ctx, add } = setup();
    const ecr = valueOf(
      addEntry(doc, { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', secret: 'eyJ' }, ctx),
    );
    expect(ecr).toMatchObject({ username: 'AWS', presetId: 'ecr', expiresAt: ctx.now() + 12 * HOUR });
    const given = add('210987654321.dkr.ecr.eu-west-1.amazonaws.com', { expiresAt: ctx.now() + HOUR });
    expect(given.expiresAt).toBe(ctx.now() + HOUR);
  });

  it('gives an ACR Entra token (null-GUID user) a 3 h expiry, and a service principal none', () => {
    const { add } = setup();
    const token = add('teamregistry.azurecr.io', { username: '00000000-0000-0000-0000-000000000000' });
    expect(token).toMatchObject({ presetId: 'acr-entra', expiresAt: token.createdAt + 3 * HOUR });
    const sp = add('otherregistry.azurecr.io', { username: 'app-id' });
    expect(sp.presetId).toBe('acr');
    expect(sp.expiresAt).toBeUndefined();
  });

  it('cleans the form: trailing newline of a pasted token, blank email, duplicate pipelines', () => {
    const { add } = setup();
    const entry = add('quay.io', {
      secret: 'robot-token\n',
      email: '  ',
      pipelines: [' build ', 'deploy', 'build', ''],
      notes: '  nightly  ',
    });
    expect(entry).toMatchObject({ secret: 'robot-token', pipelines: ['build', 'deploy'], notes: 'nightly' });
    expect(entry).not.toHaveProperty('email');
  });

  it('marks a registry typed with http:// as insecure', () => {
    const { add } = setup();
    expect(add('http://localhost:5000').insecure).toBe(true);
    expect(add('localhost:5001').insecure).toBeUndefined();
  });

  it('refuses missing username, blank secret and malformed fields as errors of the named field', () => {
    const { doc, ctx } = setup();
    const cases = [
      [{ registry: 'ghcr.io', username: ' ', secret: 's' }, 'username'],
      [{ registry: 'ghcr.io', username: 'a', secret: ' \n' }, 'secret'],
      [{ registry: 'ghcr.io', username: 'a', secret: 's', email: 'nope' }, 'email'],
      [{ registry: 'ghcr.io', username: 'a', secret: 's', rotateEveryDays: 0 }, 'rotateEveryDays'],
      [{ registry: 'ghcr.io', username: 'a', secret: 's', caCertificate: 'hello' }, 'caCertificate'],
      [{ registry: 'ghcr.io', username: 'a', secret: 'x'.repeat(70_000) }, 'secret'],
    ] as const;
    for (const [input, field] of cases) {
      const result = addEntry(doc, input, ctx);
      if (result.ok) throw new Error('expected a failure');
      expect(result.error.code).toBe('invalid-input');
      expect(result.error.fields?.map((f) => f.field)).toEqual([field]);
      expect(result.error.message).not.toContain(`${field}:`);
    }
    expect(getEntriesMap(doc).size).toBe(0);
  });
});

describe('addEntries', () => {
  it('imports a batch in one update, refusing duplicates within the batch and against the vault', () => {
    const { doc, ctx, add } = setup();
    add('ghcr.io', { name: 'GitHub' });
    let updates = 0;
    doc.on('update', () => updates++);
    const results = addEntries(
      doc,
      [
        { registry: 'docker.io', username: 'a', secret: 'one' },
        { registry: 'https://index.docker.io/v1/', username: 'b', secret: 'two' },
        { registry: 'GHCR.IO', username: 'c', secret: 'three' },
        { registry: 'ghcr.io/owner/repo', username: 'd', secret: 'four' },
        { registry: 'registry.example.com:5000', username: 'e', secret: 'five' },
      ],
      ctx,
    );
    expect(results.map((r) => (r.ok ? r.value.secret : r.error.code))).toEqual([
      'one',
      'registry-exists',
      'registry-exists',
      'registry-invalid',
      'five',
    ]);
    expect(results[2]).toMatchObject({ error: { message: expect.stringContaining('("GitHub")') } });
    expect(updates).toBe(1);
    expect(getEntriesMap(doc).size).toBe(3);
  });

  it('writes nothing when every input is refused', () => {
    const { doc, ctx } = setup();
    let updates = 0;
    doc.on('update', () => updates++);
    expect(addEntries(doc, [{ registry: '', username: 'a', secret: 's' }], ctx)[0]?.ok).toBe(false);
    expect(addEntries(doc, [], ctx)).toEqual([]);
    expect(updates).toBe(0);
  });
});

describe('editEntry', () => {
  it('refuses a different registry URL with the seed sentence, and accepts the same one in any spelling', () => {
    const { doc, ctx, add } = setup();
    const entry = add('docker.io');
    expect(failureOf(editEntry(doc, entry.id, { registry: 'ghcr.io' }, ctx))).toEqual({
      code: 'registry-immutable',
      message: REGISTRY_IMMUTABLE_MESSAGE,
      fields: [{ field: 'registry', message: REGISTRY_IMMUTABLE_MESSAGE }],
    });
    expect(REGISTRY_IMMUTABLE_MESSAGE).toBe(
      'Registry URL cannot be changed after creation. To use a different URL, delete and recreate the registry entry.',
    );
    expect(valueOf(editEntry(doc, entry.id, { registry: 'index.docker.io', name: 'Hub' }, ctx)).name).toBe('Hub');
    expect(valueOf(editEntry(doc, entry.id, { registry: DOCKER_HUB_KEY }, ctx)).registry).toBe(DOCKER_HUB_KEY);
  });

  it('keeps the secret when the new one is blank or absent, and replaces it when typed', () => {
    const { doc, ctx, add } = setup();
    const entry = add('ghcr.io');
    ctx.advance(1000);
    expect(valueOf(editEntry(doc, entry.id, { secret: '', username: 'bob' }, ctx))).toMatchObject({
      secret: 'token-1',
      username: 'bob',
      secretUpdatedAt: entry.createdAt,
      updatedAt: entry.createdAt + 1000,
    });
    expect(valueOf(editEntry(doc, entry.id, { notes: 'x' }, ctx)).secret).toBe('token-1');
    ctx.advance(1000);
    const rotated = valueOf(editEntry(doc, entry.id, { secret: 'token-2' }, ctx));
    expect(rotated).toMatchObject({ secret: 'token-2', secretUpdatedAt: entry.createdAt + 2000 });
  });

  it('a new secret clears the rotation flag and the last check; a new username clears the check', () => {
    const { doc, ctx, add } = setup();
    const entry = add('ghcr.io');
    valueOf(recordCheck(doc, entry.id, { at: 1, ok: true, code: 'ok', message: 'Logged in' }, ctx));
    valueOf(flagRotation(doc, [entry.id], 'Bob left the team', ctx));
    const renamed = valueOf(editEntry(doc, entry.id, { username: 'carol' }, ctx));
    expect(renamed.lastCheck).toBeUndefined();
    expect(renamed.rotationRecommended?.reason).toBe('Bob left the team');
    const rotated = valueOf(editEntry(doc, entry.id, { secret: 'token-2' }, ctx));
    expect(rotated.rotationRecommended).toBeUndefined();
  });

  it('restarts an ECR expiry when a new token is pasted; null clears an expiry', () => {
    const { doc, ctx } = setup();
    const ecr = valueOf(addEntry(doc, { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', secret: 'a' }, ctx));
    ctx.advance(13 * HOUR);
    const renewed = valueOf(editEntry(doc, ecr.id, { secret: 'b' }, ctx));
    expect(renewed.expiresAt).toBe(ctx.now() + 12 * HOUR);
    expect(valueOf(editEntry(doc, ecr.id, { expiresAt: null }, ctx)).expiresAt).toBeUndefined();
  });

  it('writes nothing when nothing changed', () => {
    const { doc, ctx, add } = setup();
    const entry = add('ghcr.io', { pipelines: ['build'] });
    let updates = 0;
    doc.on('update', () => updates++);
    const same = valueOf(editEntry(doc, entry.id, { name: 'ghcr.io', secret: 'token-1', pipelines: ['build'] }, ctx));
    expect(same).toEqual(entry);
    expect(updates).toBe(0);
  });

  it('a blank name falls back to the registry display name; blank email removes it', () => {
    const { doc, ctx, add } = setup();
    const entry = add('docker.io', { name: 'Hub', email: 'a@b.c' });
    const edited = valueOf(editEntry(doc, entry.id, { name: ' ', email: '' }, ctx));
    expect(edited.name).toBe('docker.io');
    expect(edited).not.toHaveProperty('email');
  });

  it('refuses a blank username and an unknown id', () => {
    const { doc, ctx, add } = setup();
    const entry = add('ghcr.io');
    expect(failureOf(editEntry(doc, entry.id, { username: '' }, ctx)).code).toBe('invalid-input');
    expect(failureOf(editEntry(doc, 'nope', { name: 'x' }, ctx)).code).toBe('entry-not-found');
  });
});

describe('deleteEntry and getEntry', () => {
  it('deletes an entry, after which the registry can be added again', () => {
    const { doc, ctx, add } = setup();
    const entry = add('ghcr.io');
    expect(deleteEntry(doc, entry.id, ctx)).toEqual({ ok: true, value: undefined });
    expect(failureOf(getEntry(doc, entry.id)).code).toBe('entry-not-found');
    expect(failureOf(deleteEntry(doc, entry.id, ctx)).code).toBe('entry-not-found');
    expect(addEntry(doc, { registry: 'ghcr.io', username: 'a', secret: 's' }, ctx).ok).toBe(true);
  });

  it('reports a damaged entry as damaged and can still delete it', () => {
    const { doc, ctx } = setup();
    getEntriesMap(doc).set('broken', 'not a map');
    expect(failureOf(getEntry(doc, 'broken')).code).toBe('entry-damaged');
    expect(deleteEntry(doc, 'broken', ctx).ok).toBe(true);
  });
});
