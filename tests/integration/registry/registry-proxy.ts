/**
 * A reverse proxy in front of a real test registry, the way sites put nginx before `docker-registry`: it can keep
 * some users read-only (any method but GET/HEAD is refused with 403 DENIED, as a `limit_except` rule does) and add
 * response headers (GitHub's token-expiry header), and it records what went through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as requestHttp } from 'node:http';

/** Who stays read-only, and what headers every answer gets. */
export type RegistryProxyOptions = Readonly<{
  target: string;
  readOnlyUsers?: readonly string[];
  addHeaders?: Readonly<Record<string, string>>;
}>;

/** A running proxy: `host` is its Docker key, `requests` what it saw (method and path). */
export type RunningRegistryProxy = Readonly<{
  host: string;
  requests: readonly Readonly<{ method: string; path: string; refused: boolean }>[];
  stop: () => Promise<void>;
}>;

function basicUser(request: IncomingMessage): string | undefined {
  const match = /^basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : Buffer.from(match[1], 'base64').toString('utf8').split(':')[0];
}

function forward(options: RegistryProxyOptions, request: IncomingMessage, response: ServerResponse): void {
  const target = new URL(request.url ?? '/', options.target);
  const upstream = requestHttp(
    target,
    { method: request.method, headers: { ...request.headers, host: target.host }, agent: false },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...options.addHeaders });
      answer.pipe(response);
    },
  );
  upstream.on('error', () => response.writeHead(502).end());
  request.pipe(upstream);
}

/** Starts the proxy on 127.0.0.1 with a free port. */
export function startRegistryProxy(options: RegistryProxyOptions): Promise<RunningRegistryProxy> {
  const requests: { method: string; path: string; refused: boolean }[] = [];
  const server = createServer((request, response) => {
    const method = request.method ?? 'GET';
    const user = basicUser(request);
    const refused =
      method !== 'GET' && method !== 'HEAD' && user !== undefined && (options.readOnlyUsers ?? []).includes(user);
    requests.push({ method, path: request.url ?? '/', refused });
    if (!refused) return forward(options, request, response);
    request.resume();
    response.writeHead(403, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
    response.end(
      JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        host: `127.0.0.1:${port}`,
        requests,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
