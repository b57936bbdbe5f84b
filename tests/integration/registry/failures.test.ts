import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin } from '../../../electron/services/registry-check';
import { findFreePort } from './registry-server';

type Listening = Readonly<{ host: string; close: () => Promise<void> }>;

function listen(server: Server | ReturnType<typeof createTcpServer>, sockets: Set<Socket>): Promise<Listening> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const close = (): Promise<void> =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve({ host: `127.0.0.1:${port}`, close });
    });
  });
}

function startHttpServer(handler: RequestListener): Promise<Listening> {
  return listen(createServer(handler), new Set());
}

function isBasic(request: IncomingMessage, user: string, password: string): boolean {
  return request.headers.authorization === `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function answer(response: ServerResponse, status: number, headers: Record<string, string> = {}, body = '{}'): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

describe('login check failures that need no registry', () => {
  const servers: Listening[] = [];
  let notFound: Listening;
  let silent: Listening;
  let nexusLike: Listening;
  let redirectingRealm: Listening;

  beforeAll(async () => {
    notFound = await startHttpServer((_request, response) => answer(response, 404, {}, '404 page not found'));
    // Accepts TCP connections and never writes a byte.
    silent = await listen(createTcpServer(), new Set());
    // Nexus-style upper-case scheme with a quoted realm containing a comma.
    nexusLike = await startHttpServer((request, response) =>
      isBasic(request, 'bob', 's3cret-pass')
        ? answer(response, 200)
        : answer(response, 401, { 'www-authenticate': 'BASIC REALM="Sonatype Nexus, Repository Manager"' }),
    );
    redirectingRealm = await startHttpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const challenge = `Basic realm="a, b", Bearer realm="http://${request.headers.host ?? ''}/auth/old",service="svc, one",scope="registry:catalog:*"`;
      if (url.pathname === '/auth/old') return answer(response, 307, { location: `/auth/token${url.search}` });
      if (url.pathname === '/auth/token') {
        const expected =
          url.searchParams.get('service') === 'svc, one' && url.searchParams.get('scope') === 'registry:catalog:*';
        return isBasic(request, 'carol', 'pw-4567') && expected
          ? answer(response, 200, {}, '{"access_token":"tok-123"}')
          : answer(response, 401);
      }
      return request.headers.authorization === 'Bearer tok-123'
        ? answer(response, 200)
        : answer(response, 401, { 'www-authenticate': challenge });
    });
    servers.push(notFound, silent, nexusLike, redirectingRealm);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  it('reports a closed port as refused', async () => {
    const port = await findFreePort();
    const result = await checkLogin({ registry: `127.0.0.1:${port}`, username: 'u', secret: 'password' });
    expect(result).toMatchObject({ ok: false, code: 'refused' });
    expect(result.hint).toContain(`listens on 127.0.0.1:${port}`);
  });

  it('reports an unknown host as a DNS failure, quickly', async () => {
    const result = await checkLogin({
      registry: 'no-such-registry.invalid',
      username: 'u',
      secret: 'password',
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ ok: false, code: 'dns' });
    expect(result.hint).toContain('Use the correct hostname format');
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('reports a plain web server answering 404 at /v2/ as not a registry', async () => {
    const result = await checkLogin({ registry: notFound.host, username: 'u', secret: 'password' });
    expect(result).toMatchObject({ ok: false, code: 'not-a-registry', status: 404 });
    expect(result.hint).toContain('Include port number if using non-standard ports.');
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    const result = await checkLogin({ registry: silent.host, username: 'u', secret: 'password', timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, code: 'timeout' });
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(result.durationMs).toBeLessThan(5_000);
    expect(result.hint).toContain('Verify network connectivity to the registry');
  });

  it('follows an upper-case BASIC challenge (Nexus) with the right credentials', async () => {
    const result = await checkLogin({ registry: nexusLike.host, username: 'bob', secret: 's3cret-pass' });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200 });
  });

  it('reports wrong credentials against the upper-case BASIC challenge', async () => {
    const result = await checkLogin({ registry: nexusLike.host, username: 'bob', secret: 'nope-nope' });
    expect(result).toMatchObject({ ok: false, code: 'unauthorized', status: 401 });
  });

  it('prefers Bearer among several challenges, keeps quoted commas, follows a same-host realm redirect', async () => {
    const result = await checkLogin({ registry: redirectingRealm.host, username: 'carol', secret: 'pw-4567' });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200 });
  });

  it('refuses plain HTTP to a host that is not loopback without connecting', async () => {
    // A name under .invalid cannot resolve: reaching the network would have given `dns`, not `insecure-refused`.
    const result = await checkLogin({ registry: 'http://registry.invalid:5000', username: 'u', secret: 'password' });
    expect(result).toMatchObject({ ok: false, code: 'insecure-refused' });
    expect(result.status).toBeUndefined();
    expect(result.hint).toContain('Ensure HTTPS is supported by the registry.');
  });

  it('allows plain HTTP to that host once it is marked insecure (and then fails on DNS)', async () => {
    const result = await checkLogin({
      registry: 'http://registry.invalid:5000',
      username: 'u',
      secret: 'password',
      insecure: true,
    });
    expect(result.code).toBe('dns');
  });

  it('refuses a registry address with a path before any request', async () => {
    const result = await checkLogin({ registry: 'registry.invalid/some/path', username: 'u', secret: 'password' });
    expect(result).toMatchObject({ ok: false, code: 'invalid-registry' });
    expect(result.message).toContain('no path');
  });
});
