import { sendInFlow } from './flow-request';
import { loginWithBearer } from './bearer-flow';
import { findChallenge, parseAuthChallenges } from './challenge';
import type { HttpResponse } from './http-request';
import { RequestFailure } from './http-request';
import type { FlowContext, FlowOutcome } from './outcome';
import { createOutcome, describeFailedStatus, encodeBasicAuthorization, looksLikeWebPage } from './outcome';
import { buildPingUrl, planSchemes, type Scheme } from './target';

/** The unauthenticated `/v2/` answer and the URL (scheme) that gave it. */
export type Ping = Readonly<{ url: URL; response: HttpResponse }>;

/** `GET /v2/` without credentials over the first scheme that answers. */
export async function pingRegistry(context: FlowContext, schemes: readonly Scheme[]): Promise<Ping> {
  let lastFailure: unknown;
  for (const scheme of schemes) {
    const url = buildPingUrl(context.target, scheme);
    try {
      return {
        url,
        response: await sendInFlow(context, { url }),
      };
    } catch (error) {
      lastFailure = error;
      const plainHttpMayWork = error instanceof RequestFailure && error.detail === 'not-tls';
      if (!plainHttpMayWork) throw error;
    }
  }
  throw lastFailure;
}

/** Retries `/v2/` with Basic credentials. */
export async function loginWithBasic(context: FlowContext, pingUrl: URL): Promise<FlowOutcome> {
  const authorization = encodeBasicAuthorization(context.username, context.secret);
  const response = await sendInFlow(context, { url: pingUrl, authorization });
  const authority = context.target.authority;
  if (response.status === 200) {
    const over = pingUrl.protocol === 'http:' ? ' over plain HTTP' : '';
    return createOutcome(
      'ok',
      `Logged in to ${authority} as ${context.username} with Basic authentication${over} (HTTP 200).`,
      200,
    );
  }
  return describeFailedStatus(response, authority, `the credentials for ${context.username}`);
}

/** Follows the challenge of a 401 on `/v2/`: Bearer (preferred, as Docker does) or Basic. */
async function answerChallenge(context: FlowContext, ping: Ping): Promise<FlowOutcome> {
  const header = ping.response.headers['www-authenticate'];
  const challenges = parseAuthChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
  const bearer = findChallenge(challenges, 'bearer');
  if (bearer !== undefined) return loginWithBearer(context, ping.url, bearer);
  if (findChallenge(challenges, 'basic') !== undefined) return loginWithBasic(context, ping.url);
  const authority = context.target.authority;
  if (challenges.length === 0) {
    return createOutcome('bad-response', `${authority} answered 401 without a WWW-Authenticate challenge.`, 401);
  }
  const offered = challenges.map((challenge) => challenge.scheme).join(', ');
  return createOutcome(
    'unsupported-auth',
    `${authority} asks for ${offered} authentication; only Basic and Bearer are supported.`,
    401,
  );
}

/** Runs the check against a resolved target: ping, then the flow the registry's challenge asks for. */
export async function runLoginFlow(context: FlowContext): Promise<FlowOutcome> {
  const schemes = planSchemes(context);
  const authority = context.target.authority;
  if (schemes === undefined) {
    return createOutcome(
      'insecure-refused',
      `Plain HTTP to ${authority} was refused: it is not a loopback address and not marked insecure. Nothing was sent.`,
    );
  }
  try {
    const ping = await pingRegistry(context, schemes);
    const status = ping.response.status;
    if (status === 401) return await answerChallenge(context, ping);
    if (status === 200 && looksLikeWebPage(ping.response)) {
      return createOutcome(
        'not-a-registry',
        `${authority} answered /v2/ with a web page, not the registry API.`,
        status,
      );
    }
    if (status === 200) {
      const message = `${authority} answered /v2/ without asking for credentials (HTTP 200): it is reachable, but the credentials were not tested.`;
      return { ...createOutcome('ok', message, status), anonymous: true };
    }
    return describeFailedStatus(ping.response, authority, 'the request');
  } catch (error) {
    if (!(error instanceof RequestFailure)) throw error;
    return { code: error.code, message: error.message, detail: error.detail, anonymous: false };
  }
}
