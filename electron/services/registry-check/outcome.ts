import type { LoginCheckCode } from '../../../shared/registry/login-check-codes';
import type { FailureDetail, HttpResponse } from './http-request';
import type { RegistryTarget } from './target';

/** Everything one login check needs, fixed before the first request. */
export type FlowContext = Readonly<{
  target: RegistryTarget;
  username: string;
  secret: string;
  caCertificate: string | undefined;
  /** Plain HTTP allowed: a loopback host, or the registry is marked insecure. */
  plainHttpAllowed: boolean;
  /** Deadline for the whole check, on the `performance.now()` clock. */
  deadline: number;
  /** Sees every answer (the login check reads GitHub's token-expiry header from them). */
  observe?: (response: HttpResponse) => void;
}>;

/** What a check found, before the hint is chosen. */
export type FlowOutcome = Readonly<{
  code: LoginCheckCode;
  status?: number;
  message: string;
  detail: FailureDetail;
  /** The registry answered /v2/ without asking for credentials. */
  anonymous: boolean;
}>;

/** Builds an outcome with no failure detail. */
export function createOutcome(code: LoginCheckCode, message: string, status?: number): FlowOutcome {
  return status === undefined
    ? { code, message, detail: 'none', anonymous: false }
    : { code, message, status, detail: 'none', anonymous: false };
}

/** The `Authorization` value for HTTP Basic (RFC 7617, UTF-8). */
export function encodeBasicAuthorization(username: string, secret: string): string {
  return `Basic ${Buffer.from(`${username}:${secret}`, 'utf8').toString('base64')}`;
}

/** True for a 3xx status. */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** A web page rather than a registry API: HTML and no `Docker-Distribution-Api-Version` header. */
export function looksLikeWebPage(response: HttpResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  return type.includes('text/html') && response.headers['docker-distribution-api-version'] === undefined;
}

/**
 * Maps a status that is not success to an outcome. `who` names the server in the message ("registry.example.com",
 * "the token service at auth.example.com"); `what` says what was refused ("the credentials for alice").
 */
export function describeFailedStatus(response: HttpResponse, who: string, what: string): FlowOutcome {
  const status = response.status;
  if (status === 401) return createOutcome('unauthorized', `${who} rejected ${what} (HTTP 401).`, status);
  if (status === 403)
    return createOutcome('forbidden', `${who} recognised ${what} but refused access (HTTP 403).`, status);
  if (status === 404) return createOutcome('not-a-registry', `${who} has no registry API at /v2/ (HTTP 404).`, status);
  if (status === 429) return createOutcome('rate-limited', `${who} refused: too many requests (HTTP 429).`, status);
  if (isRedirect(status)) {
    const location = String(response.headers.location ?? 'nowhere');
    return createOutcome(
      'not-a-registry',
      `${who} redirected /v2/ to ${location} (HTTP ${status}); a registry answers /v2/ itself.`,
      status,
    );
  }
  return createOutcome('bad-response', `${who} answered HTTP ${status}, which a registry does not send here.`, status);
}
