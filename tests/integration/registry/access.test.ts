import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccess } from '../../../electron/services/access-check';
import { PULL_ONLY, REPOSITORY_NOT_FOUND } from '../../../shared/registry/access-verdict';
import { fetchBearer, listStorageFiles, listUploads, pushTestImage, readCatalog } from './registry-contents';
import type { RunningRegistry } from './registry-server';
import { startRegistry } from './registry-server';
import { createTokenSigner } from './registry-token';
import type { RunningTokenServer } from './token-server';
import { startTokenServer } from './token-server';

const service = 'regvault-access-registry';
const issuer = 'regvault-access-issuer';
const secrets = { alice: 'alice-token-secret-4821', admin: 'admin-token-secret-7730', bob: 'bob-basic-secret-5519' };

/** What the registry holds, by API and on disk, to compare before and after the tests. */
async function snapshot(registry: RunningRegistry, auth?: (scope: string) => Promise<string>) {
  return {
    catalog: await readCatalog(registry.url, auth),
    files: await listStorageFiles(registry.dataDir),
    uploads: await listUploads(registry.dataDir),
  };
}

describe('Test access against docker-registry with a token service and an ACL', () => {
  let dir: string;
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;
  let before: Awaited<ReturnType<typeof snapshot>>;
  const adminAuth = (scope: string) => fetchBearer(tokens.realm, service, 'admin', secrets.admin, scope);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regvault-access-'));
    const signer = await createTokenSigner(dir, 'access');
    tokens = await startTokenServer({
      users: { alice: secrets.alice, admin: secrets.admin },
      acl: {
        alice: {
          'team/api': ['pull'],
          'team/web': ['pull', 'push'],
          'team/new': ['pull', 'push'],
          'team/drop': ['push'],
        },
        admin: { 'team/api': ['*'], 'team/web': ['*'], 'team/drop': ['*'], catalog: ['*'] },
      },
      issuer,
      service,
      signer,
    });
    registry = await startRegistry({
      auth: 'token',
      token: { realm: tokens.realm, service, issuer, rootCertBundle: signer.root.cert },
    });
    for (const name of ['team/api', 'team/web', 'team/drop']) {
      await pushTestImage(registry.url, name, 'v1', await adminAuth(`repository:${name}:pull,push`));
    }
    before = await snapshot(registry, adminAuth);
  });

  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const test = (repository: string, secret = secrets.alice) =>
    checkAccess({ registry: registry.host, username: 'alice', secret, repository });

  it('reports pull only where the ACL grants pull, from the token claims', async () => {
    const result = await test('team/api');
    expect(result).toMatchObject({
      ok: true,
      verdict: 'pull-only',
      method: 'token-claims',
      pull: true,
      push: false,
      exists: true,
    });
    expect(result.sentence).toBe(PULL_ONLY);
    expect(result.hint).toContain('Verify registry credentials have write access');
    const asked = tokens.requests.at(-1);
    expect(asked).toMatchObject({ scope: 'repository:team/api:pull,push', account: 'alice', granted: true });
  });

  it('reports pull and push where the ACL grants both', async () => {
    const result = await test('team/web');
    expect(result).toMatchObject({ ok: true, verdict: 'pull-push', pull: true, push: true, exists: true });
    expect(result.sentence).toBe('Can pull and push team/web');
  });

  it('reports push without pull', async () => {
    expect(await test('team/drop')).toMatchObject({ verdict: 'push-only', pull: false, push: true });
  });

  it('reports a repository the token may use but the registry does not have as not found', async () => {
    const result = await test('team/new');
    expect(result).toMatchObject({ ok: true, verdict: 'not-found', exists: false });
    expect(result.sentence).toBe(REPOSITORY_NOT_FOUND);
    expect(result.hint).toContain('Check if the repository exists (some registries require pre-creation)');
  });

  it('reports no access where the ACL lists nothing', async () => {
    expect(await test('other/app')).toMatchObject({ ok: true, verdict: 'no-access', pull: false, push: false });
  });

  it('checks that a named tag exists', async () => {
    expect(await test('team/api:v1')).toMatchObject({ verdict: 'pull-only', tag: 'v1', tagFound: true });
    const missing = await test('team/api:v9');
    expect(missing).toMatchObject({ verdict: 'pull-only', tagFound: false });
    expect(missing.message).toContain('check if the image exists in the registry');
  });

  it('fails with the login hint when the token service refuses the credentials', async () => {
    const result = await test('team/api', 'wrong-secret-000111');
    expect(result).toMatchObject({ ok: false, verdict: 'failed', code: 'unauthorized' });
    expect(result.hint).toContain('Verify username is correct.');
    expect(JSON.stringify(result)).not.toContain('wrong-secret-000111');
  });

  it('left no blob, upload or tag behind (registry API and storage folder)', async () => {
    expect(await snapshot(registry, adminAuth)).toEqual(before);
    expect(before.uploads).toEqual([]);
    expect(Object.keys(before.catalog).sort()).toEqual(['team/api', 'team/drop', 'team/web']);
  });
});

describe('Test access: a token service that refuses a scope instead of granting nothing', () => {
  let dir: string;
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regvault-access-refuse-'));
    const signer = await createTokenSigner(dir, 'refuse');
    tokens = await startTokenServer({
      users: { alice: secrets.alice },
      acl: { alice: { 'team/api': ['pull'] } },
      refuseUngranted: 403,
      issuer,
      service,
      signer,
    });
    registry = await startRegistry({
      auth: 'token',
      token: { realm: tokens.realm, service, issuer, rootCertBundle: signer.root.cert },
    });
  });

  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports no access (right credentials, refused repository), and a wrong password still as unauthorized', async () => {
    const test = (secret: string) =>
      checkAccess({ registry: registry.host, username: 'alice', secret, repository: 'other/app' });
    expect(await test(secrets.alice)).toMatchObject({ ok: true, verdict: 'no-access', pull: false, push: false });
    expect(await test('wrong-secret-222333')).toMatchObject({ ok: false, verdict: 'failed', code: 'unauthorized' });
  });
});

describe('Test access against docker-registry with htpasswd (probing the API)', () => {
  let registry: RunningRegistry;
  let before: Awaited<ReturnType<typeof snapshot>>;
  const basic = `Basic ${Buffer.from(`bob:${secrets.bob}`).toString('base64')}`;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { bob: secrets.bob } });
    await pushTestImage(registry.url, 'team/api', 'v1', basic);
    before = await snapshot(registry, () => Promise.resolve(basic));
  });

  afterAll(async () => {
    await registry.stop();
  });

  const test = (repository: string, secret = secrets.bob) =>
    checkAccess({ registry: registry.host, username: 'bob', secret, repository });

  it('finds pull and push by reading the tags and starting and cancelling an upload', async () => {
    const result = await test('team/api:v1');
    expect(result).toMatchObject({
      ok: true,
      verdict: 'pull-push',
      method: 'probe',
      pull: true,
      push: true,
      tagFound: true,
    });
    expect(result.sentence).toBe('Can pull and push team/api');
    expect(await listUploads(registry.dataDir)).toEqual([]);
  });

  it('reports a missing repository as not found and starts no upload there', async () => {
    const result = await test('team/missing');
    expect(result).toMatchObject({ verdict: 'not-found', exists: false, push: null });
    expect(result.sentence).toBe(REPOSITORY_NOT_FOUND);
  });

  it('refuses a name that is not a repository before sending anything', async () => {
    const result = await test('Team/API');
    expect(result).toMatchObject({ ok: false, verdict: 'failed', code: 'not-run' });
    expect(result.sentence).toContain('without the registry host');
  });

  it('fails with unauthorized for a wrong password', async () => {
    expect(await test('team/api', 'not-bobs-password-1')).toMatchObject({ verdict: 'failed', code: 'unauthorized' });
  });

  it('left no blob, upload or tag behind (registry API and storage folder)', async () => {
    expect(await snapshot(registry, () => Promise.resolve(basic))).toEqual(before);
  });
});
