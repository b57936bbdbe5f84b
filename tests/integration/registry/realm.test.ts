// A registry that is local (or marked insecure) must not be able to send Basic credentials over
// plain HTTP to a token realm on another host.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin } from '../../../electron/services/registry-check';

describe('a plain-HTTP token realm on another host', () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  let realm = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.url ?? ''} ${request.headers.authorization ?? '-'}`);
      if (request.url?.startsWith('/token') === true) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}');
        return;
      }
      response
        .writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="reg"` })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is refused before any request when a loopback registry points at it', async () => {
    realm = 'http://registry.example.invalid/token';
    seen.length = 0;
    const result = await checkLogin({ registry: `127.0.0.1:${port}`, username: 'alice', secret: 'pw-never-sent' });
    expect(result).toMatchObject({ ok: false, code: 'insecure-refused' });
    expect(result.message).toContain('registry.example.invalid');
    // Only the anonymous ping reached anything; no request carried credentials.
    expect(seen).toEqual(['/v2/ -']);
  });

  it('is refused for a registry marked insecure too', async () => {
    realm = 'http://registry.example.invalid/token';
    const result = await checkLogin({
      registry: `127.0.0.1:${port}`,
      username: 'alice',
      secret: 'pw-never-sent',
      insecure: true,
    });
    expect(result).toMatchObject({ ok: false, code: 'insecure-refused' });
  });

  it('still works when the plain-HTTP realm is on a loopback host', async () => {
    realm = `http://127.0.0.1:${port}/token`;
    seen.length = 0;
    const result = await checkLogin({ registry: `127.0.0.1:${port}`, username: 'alice', secret: 'pw' });
    expect(seen[1]).toMatch(/^\/token\?service=reg&account=alice Basic /);
    expect(result.code).not.toBe('insecure-refused');
  });
});
