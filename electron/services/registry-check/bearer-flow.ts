import { sendInFlow } from './flow-request';
import { z } from 'zod';
import type { AuthChallenge } from './challenge';
import type { HttpResponse } from './http-request';
import type { FlowContext, FlowOutcome } from './outcome';
import { createOutcome, describeFailedStatus, encodeBasicAuthorization, isRedirect } from './outcome';
import { isLoopbackHost } from './target';

/** Redirects followed for the token realm only; /v2/ itself is never followed. */
const maxRealmRedirects = 3;

/** The token response of the Docker token protocol: `token`, or OAuth2's `access_token`. */
const tokenResponseSchema = z.object({ token: z.string().optional(), access_token: z.string().optional() });

/** Bearer tokens go into a header: printable ASCII only, so a hostile token cannot inject headers. */
const headerSafeToken = /^[\x21-\x7e]+$/;

type RealmUrl = Readonly<{ ok: true; url: URL }> | Readonly<{ ok: false; outcome: FlowOutcome }>;

/** Reads the realm of a Bearer challenge; plain HTTP only where the registry itself may use it. */
function resolveRealm(context: FlowContext, challenge: AuthChallenge): RealmUrl {
  const realm = challenge.params['realm'];
  let url: URL;
  try {
    url = new URL(realm ?? '');
  } catch {
    return {
      ok: false,
      outcome: createOutcome(
        'bad-response',
        `${context.target.authority} sent a Bearer challenge without a usable realm URL.`,
      ),
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      ok: false,
      outcome: createOutcome('bad-response', `The token realm ${url.origin} is not an HTTP(S) URL.`),
    };
  }
  // Basic credentials go to the realm: over plain HTTP only to a loopback host, or to the very host
  // that was marked insecure — never to another host because the registry itself is local or insecure.
  const plainRealmAllowed =
    isLoopbackHost(url.hostname) || (context.plainHttpAllowed && url.hostname === context.target.hostname);
  if (url.protocol === 'http:' && !plainRealmAllowed) {
    const message = `The token service ${url.host} is plain HTTP; the credentials were not sent to it.`;
    return { ok: false, outcome: createOutcome('insecure-refused', message) };
  }
  url.searchParams.set('service', challenge.params['service'] ?? '');
  if (challenge.params['scope'] !== undefined) url.searchParams.set('scope', challenge.params['scope']);
  // docker login names the account too; token services built for Docker expect it.
  if (context.username.length > 0) url.searchParams.set('account', context.username);
  return { ok: true, url };
}

/** The next URL of a realm redirect, if it stays on the same host (credentials go with it) and never downgrades. */
function followRealmRedirect(from: URL, response: HttpResponse): URL | undefined {
  const location = response.headers.location;
  if (typeof location !== 'string') return undefined;
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return undefined;
  }
  const sameHost = next.hostname === from.hostname;
  const sameOrUpgraded = next.protocol === from.protocol || (from.protocol === 'http:' && next.protocol === 'https:');
  return sameHost && sameOrUpgraded ? next : undefined;
}

/** A token from the realm, or why there is none. */
export type TokenResult =
  Readonly<{ ok: true; token: string; issuer: string }> | Readonly<{ ok: false; outcome: FlowOutcome }>;

/** Reads the token out of a 200 answer of the token service. */
function readToken(response: HttpResponse, issuer: string): TokenResult {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return {
      ok: false,
      outcome: createOutcome('bad-response', `The token service at ${issuer} did not answer JSON.`, response.status),
    };
  }
  const parsed = tokenResponseSchema.safeParse(json);
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (token === undefined || !headerSafeToken.test(token)) {
    return {
      ok: false,
      outcome: createOutcome(
        'bad-response',
        `The token service at ${issuer} answered without a usable token.`,
        response.status,
      ),
    };
  }
  return { ok: true, token, issuer };
}

/** Asks the token service for a token with Basic credentials, following a few same-host redirects. */
async function fetchToken(context: FlowContext, realm: URL): Promise<TokenResult> {
  const authorization = encodeBasicAuthorization(context.username, context.secret);
  let url = realm;
  for (let hop = 0; hop <= maxRealmRedirects; hop += 1) {
    const response = await sendInFlow(context, { url, authorization });
    const who = `The token service at ${url.host}`;
    if (response.status === 200) return readToken(response, url.host);
    if (isRedirect(response.status)) {
      const next = followRealmRedirect(url, response);
      if (next === undefined) {
        return {
          ok: false,
          outcome: createOutcome(
            'bad-response',
            `${who} redirected to another host or to plain HTTP; the credentials were not sent there.`,
            response.status,
          ),
        };
      }
      url = next;
      continue;
    }
    const failed = [401, 403, 429].includes(response.status)
      ? describeFailedStatus(response, who, `the credentials for ${context.username}`)
      : createOutcome('bad-response', `${who} answered HTTP ${response.status} instead of a token.`, response.status);
    return { ok: false, outcome: failed };
  }
  return {
    ok: false,
    outcome: createOutcome(
      'bad-response',
      `The token service at ${realm.host} redirected more than ${maxRealmRedirects} times.`,
    ),
  };
}

/** Asks a Bearer challenge's realm for a token as the challenge describes it (the login's own request). */
export function requestToken(context: FlowContext, challenge: AuthChallenge): Promise<TokenResult> {
  const realm = resolveRealm(context, challenge);
  return realm.ok ? fetchToken(context, realm.url) : Promise.resolve(realm);
}

/** Asks a Bearer challenge's realm for a token with `scope` (e.g. `repository:team/api:pull,push`). */
export function requestScopedToken(
  context: FlowContext,
  challenge: AuthChallenge,
  scope: string,
): Promise<TokenResult> {
  const realm = resolveRealm(context, { ...challenge, params: { ...challenge.params, scope } });
  return realm.ok ? fetchToken(context, realm.url) : Promise.resolve(realm);
}

/** The Bearer flow: Basic credentials to the realm for a token, then `/v2/` with that token. */
export async function loginWithBearer(
  context: FlowContext,
  pingUrl: URL,
  challenge: AuthChallenge,
): Promise<FlowOutcome> {
  const realm = resolveRealm(context, challenge);
  if (!realm.ok) return realm.outcome;
  const token = await fetchToken(context, realm.url);
  if (!token.ok) return token.outcome;
  const authorization = `Bearer ${token.token}`;
  const response = await sendInFlow(context, { url: pingUrl, authorization });
  const authority = context.target.authority;
  if (response.status === 200) {
    return createOutcome(
      'ok',
      `Logged in to ${authority} as ${context.username} with a token from ${token.issuer} (HTTP 200).`,
      200,
    );
  }
  return describeFailedStatus(response, authority, `the token issued by ${token.issuer} for ${context.username}`);
}
