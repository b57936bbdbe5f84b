import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccess } from '../../../electron/services/access-check';
import { checkLogin } from '../../../electron/services/registry-check';
import { PULL_ONLY } from '../../../shared/registry/access-verdict';
import { listStorageFiles, listUploads, pushTestImage, readCatalog } from './registry-contents';
import type { RunningRegistryProxy } from './registry-proxy';
import { startRegistryProxy } from './registry-proxy';
import type { RunningRegistry } from './registry-server';
import { startRegistry } from './registry-server';

const users = { reader: 'reader-secret-3141', writer: 'writer-secret-2718' };
const basic = (user: keyof typeof users) => `Basic ${Buffer.from(`${user}:${users[user]}`).toString('base64')}`;

describe('Test access by probing: docker-registry (htpasswd) behind a proxy that keeps a user read-only', () => {
  let registry: RunningRegistry;
  let proxy: RunningRegistryProxy;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users });
    await pushTestImage(registry.url, 'team/api', 'v1', basic('writer'));
    proxy = await startRegistryProxy({
      target: registry.url,
      readOnlyUsers: ['reader'],
      addHeaders: { 'github-authentication-token-expiration': '2030-01-01 00:00:00 UTC' },
    });
  });

  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
  });

  it('reports pull only for the read-only user, without an upload being started', async () => {
    const files = await listStorageFiles(registry.dataDir);
    const result = await checkAccess({
      registry: proxy.host,
      username: 'reader',
      secret: users.reader,
      repository: 'team/api',
    });
    expect(result).toMatchObject({ ok: true, verdict: 'pull-only', method: 'probe', pull: true, push: false });
    expect(result.sentence).toBe(PULL_ONLY);
    expect(proxy.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(await listStorageFiles(registry.dataDir)).toEqual(files);
  });

  it('reports pull and push for the writer and stores nothing (not even upload state)', async () => {
    const files = await listStorageFiles(registry.dataDir);
    const result = await checkAccess({
      registry: proxy.host,
      username: 'writer',
      secret: users.writer,
      repository: 'team/api',
    });
    expect(result).toMatchObject({ verdict: 'pull-push', pull: true, push: true });
    expect(await listStorageFiles(registry.dataDir)).toEqual(files);
    expect(await listUploads(registry.dataDir)).toEqual([]);
    expect(await readCatalog(registry.url, () => Promise.resolve(basic('writer')))).toEqual({ 'team/api': ['v1'] });
  });

  it('fills the expiry from GitHub’s github-authentication-token-expiration header on a login check', async () => {
    const result = await checkLogin({ registry: proxy.host, username: 'writer', secret: users.writer });
    expect(result).toMatchObject({ ok: true, expiry: { at: Date.UTC(2030, 0, 1), from: 'github' } });
  });

  it('why the manifest probe goes first: distribution 2.8 keeps a cancelled upload’s hash state on disk', async () => {
    const started = await fetch(`${registry.url}/v2/team/api/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: basic('writer') },
    });
    expect(started.status).toBe(202);
    const upload = new URL(started.headers.get('location') ?? '', registry.url);
    const cancelled = await fetch(upload, { method: 'DELETE', headers: { authorization: basic('writer') } });
    expect(cancelled.status).toBe(204);
    // The API no longer knows the upload, but its folder comes back with a hash state in it.
    const gone = await fetch(upload, { headers: { authorization: basic('writer') } });
    expect(gone.status).toBe(404);
    const left = await listUploads(registry.dataDir);
    expect(left).toHaveLength(1);
    expect((await listStorageFiles(registry.dataDir)).filter((f) => f.includes('_uploads'))).toEqual([
      expect.stringMatching(/_uploads\/[0-9a-f-]+\/hashstates\/sha256\/0$/),
    ]);
  });
});

/** A registry that answers like a broken or hostile one: the upload URL it hands out points at another host. */
function startHostileRegistry(uploadElsewhere: string): Promise<Server & { url: string }> {
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    request.resume();
    if (request.headers.authorization === undefined) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' }).end();
    } else if (path === '/v2/') {
      response.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
    } else if (path.endsWith('/tags/list')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"team/api","tags":["v1"]}');
    } else if (request.method === 'POST') {
      response.writeHead(202, { location: `${uploadElsewhere}/v2/team/api/blobs/uploads/abc` }).end();
    } else {
      response.writeHead(405).end(); // the manifest probe says nothing: the upload probe decides
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(Object.assign(server, { url: `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` }));
    }),
  );
}

describe('Test access: an upload URL on another host is never followed with the credentials', () => {
  let elsewhere: Server;
  let elsewhereUrl: string;
  const seen: string[] = [];
  let hostile: Server & { url: string };

  beforeAll(async () => {
    elsewhere = createServer((request, response) => {
      seen.push(`${request.method} ${request.headers.authorization ?? ''}`);
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
    const address = elsewhere.address();
    elsewhereUrl = `http://127.0.0.2:${typeof address === 'object' && address ? address.port : 0}`;
    hostile = await startHostileRegistry(elsewhereUrl);
  });

  afterAll(async () => {
    hostile.closeAllConnections();
    elsewhere.closeAllConnections();
    await new Promise((resolve) => hostile.close(resolve));
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  it('reports push and the upload it could not cancel, and sends nothing to the other host', async () => {
    const result = await checkAccess({
      registry: hostile.url,
      username: 'u',
      secret: 'hostile-secret-1',
      repository: 'team/api',
    });
    expect(result).toMatchObject({ verdict: 'pull-push', method: 'probe' });
    expect(result.message).toContain('did not let the test cancel its upload');
    expect(seen).toEqual([]);
  });
});
