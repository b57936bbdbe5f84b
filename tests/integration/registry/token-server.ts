/**
 * A small Docker token service for tests (the `realm` of a registry's Bearer challenge): checks Basic credentials
 * and answers `{ token }` signed for the registry, the way Docker Hub's auth.docker.io or Harbor's /service/token do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { TokenAccess, TokenSigner } from './registry-token';
import { signRegistryToken } from './registry-token';

/** What the token service saw in one request: the flow's query parameters and the Basic user. */
export type TokenRequestRecord = Readonly<{
  service: string | null;
  scope: string | null;
  account: string | null;
  user: string | undefined;
  granted: boolean;
}>;

/** What each user may do, per repository name (`*` as an action grants every action), as a token service's ACL. */
export type TokenAcl = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/**
 * Users (name → password), and who the tokens are for. With `acl`, a token grants of each requested
 * `repository:<name>:<actions>` scope (or `registry:catalog:*`) exactly the actions the ACL allows that user (none for a repository it
 * does not list), as Docker's token services do; without it, tokens carry no access at all.
 */
export type StartTokenServerOptions = Readonly<{
  users: Readonly<Record<string, string>>;
  acl?: TokenAcl;
  /** Answer this status, instead of a token granting nothing, for a scope the ACL grants no action of. */
  refuseUngranted?: 401 | 403;
  issuer: string;
  service: string;
  signer: TokenSigner;
}>;

/** A running token service. `useSigner` switches the key tokens are signed with, `useField` the JSON field. */
export type RunningTokenServer = Readonly<{
  realm: string;
  requests: readonly TokenRequestRecord[];
  useSigner: (signer: TokenSigner) => void;
  useField: (field: 'token' | 'access_token') => void;
  stop: () => Promise<void>;
}>;

function readBasicCredentials(request: IncomingMessage): Readonly<{ user: string; password: string }> | undefined {
  const match = /^basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The access a token grants for the requested scopes under the ACL: requested ∩ allowed, per repository. */
export function grantScopes(acl: TokenAcl | undefined, user: string, scopes: readonly string[]): TokenAccess[] {
  if (acl === undefined) return [];
  const granted: TokenAccess[] = [];
  for (const scope of scopes) {
    const match = /^(repository|registry):([^:]+):([a-z*,]+)$/.exec(scope);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    const allowed = acl[user]?.[match[2]] ?? [];
    const actions = match[3].split(',').filter((action) => allowed.includes(action) || allowed.includes('*'));
    granted.push({ type: match[1], name: match[2], actions });
  }
  return granted;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** Starts the token service on 127.0.0.1 with a free port; its realm is `http://127.0.0.1:<port>/token`. */
export function startTokenServer(options: StartTokenServerOptions): Promise<RunningTokenServer> {
  const requests: TokenRequestRecord[] = [];
  let signer = options.signer;
  let field: 'token' | 'access_token' = 'token';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') return sendJson(response, 404, { errors: [{ code: 'NOT_FOUND' }] });
    const credentials = readBasicCredentials(request);
    const granted = credentials !== undefined && options.users[credentials.user] === credentials.password;
    const params = url.searchParams;
    requests.push({
      service: params.get('service'),
      scope: params.get('scope'),
      account: params.get('account'),
      user: credentials?.user,
      granted,
    });
    if (!granted) {
      return sendJson(
        response,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        { 'www-authenticate': 'Basic realm="token"' },
      );
    }
    if (params.get('service') !== options.service)
      return sendJson(response, 400, { errors: [{ code: 'INVALID_SERVICE' }] });
    // The /v2/ ping needs no scope, so `access` stays empty there: the token only proves who logged in.
    const access = grantScopes(options.acl, credentials.user, params.getAll('scope'));
    if (options.refuseUngranted !== undefined && access.some((item) => item.actions.length === 0)) {
      return sendJson(response, options.refuseUngranted, { errors: [{ code: 'DENIED', message: 'access denied' }] });
    }
    const token = signRegistryToken(signer, {
      issuer: options.issuer,
      audience: options.service,
      subject: credentials.user,
      access,
    });
    sendJson(response, 200, { [field]: token, expires_in: 300, issued_at: new Date().toISOString() });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        realm: `http://127.0.0.1:${port}/token`,
        requests,
        useSigner: (next) => {
          signer = next;
        },
        useField: (next) => {
          field = next;
        },
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
