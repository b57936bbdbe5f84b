/**
 * What the login check and the access test share around their flows: the time budget, the CA, the target, the
 * hint, the expiry the credential carries, and a last pass that strips the secret from every sentence.
 */
import { X509Certificate } from 'node:crypto';
import type { LoginCheckCode } from '../../../shared/registry/login-check-codes';
import {
  GITHUB_EXPIRY_HEADER,
  parseGithubExpiry,
  readTokenExpiry,
  type TokenExpiry,
} from '../../../shared/registry/token-expiry';
import { selectHint } from './hints';
import type { HttpResponse } from './http-request';
import { classifyRequestError } from './http-request';
import type { FlowContext, FlowOutcome } from './outcome';
import { createOutcome } from './outcome';
import type { RegistryTarget } from './target';
import { buildPingUrl, resolveTarget } from './target';

/** The credential and connection options every check takes. */
export type CheckCredentials = Readonly<{
  registry: string;
  username: string;
  secret: string;
  insecure?: boolean;
  caCertificate?: string;
  timeoutMs?: number;
}>;

/** A flow's outcome with what the check adds around it. */
export type CheckRun<T> = Readonly<{
  outcome: FlowOutcome;
  /** The flow's own findings, when the target resolved and the flow ran. */
  value: T | undefined;
  hint: string;
  /** The expiry the credential carries (JWT, ECR token) or the registry reported (GitHub's header). */
  expiry: TokenExpiry | undefined;
  durationMs: number;
}>;

const defaultTimeoutMs = 15_000;
const maxTimeoutMs = 120_000;

function clampTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) return defaultTimeoutMs;
  return Math.min(Math.max(Math.floor(timeoutMs), 1), maxTimeoutMs);
}

/** Removes the secret (and its Basic encoding) from a text: a last guard, since no message is built from it. */
export function redactSecret(text: string, username: string, secret: string): string {
  if (secret.length < 4) return text;
  const basic = Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
  return text.split(secret).join('[secret]').split(basic).join('[secret]');
}

/** Rejects a CA certificate that is not PEM before any connection, with its own message. */
function checkCaCertificate(pem: string): FlowOutcome | undefined {
  try {
    new X509Certificate(pem);
    return undefined;
  } catch {
    const message = 'The CA certificate given is not a PEM certificate (-----BEGIN CERTIFICATE-----).';
    return { ...createOutcome('tls-error', message), detail: 'bad-ca-certificate' };
  }
}

/** GitHub's expiry header, from the last answer that carried it. */
function readHeaderExpiry(responses: readonly HttpResponse[]): TokenExpiry | undefined {
  for (const response of [...responses].reverse()) {
    const header = response.headers[GITHUB_EXPIRY_HEADER];
    const text = Array.isArray(header) ? header[0] : header;
    const at = text === undefined ? undefined : parseGithubExpiry(text);
    if (at !== undefined) return { at, from: 'github' };
  }
  return undefined;
}

/** The flow of one check: resolves to what it found, or to an outcome that ends the check. */
export type CheckFlow<T> = (context: FlowContext) => Promise<Readonly<{ outcome: FlowOutcome; value?: T }>>;

/** Runs a flow with the shared preparation around it; never throws. */
export async function runCheck<T>(input: CheckCredentials, flow: CheckFlow<T>): Promise<CheckRun<T>> {
  const started = performance.now();
  const deadline = started + clampTimeout(input.timeoutMs);
  const caCertificate = input.caCertificate?.trim() ? input.caCertificate : undefined;
  const resolution = resolveTarget(input.registry);
  const responses: HttpResponse[] = [];
  let outcome: FlowOutcome;
  let value: T | undefined;
  if (!resolution.ok) outcome = createOutcome('invalid-registry', resolution.reason);
  else {
    const target: RegistryTarget = resolution.target;
    const invalidCa = caCertificate === undefined ? undefined : checkCaCertificate(caCertificate);
    const plainHttpAllowed = target.loopback || input.insecure === true;
    const context: FlowContext = {
      target,
      username: input.username,
      secret: input.secret,
      caCertificate,
      plainHttpAllowed,
      deadline,
      observe: (response) => void responses.push(response),
    };
    try {
      const ran = invalidCa === undefined ? await flow(context) : { outcome: invalidCa };
      outcome = ran.outcome;
      value = ran.value;
    } catch (error) {
      const failure = classifyRequestError(error, buildPingUrl(target, 'https'));
      outcome = { code: failure.code, message: failure.message, detail: failure.detail, anonymous: false };
    }
  }
  const target = resolution.ok ? resolution.target : undefined;
  const hint = selectHint({
    code: outcome.code,
    kind: target?.kind ?? 'other',
    authority: target?.authority ?? input.registry,
    portGiven: target?.port !== undefined,
    detail: outcome.detail,
    caGiven: caCertificate !== undefined,
    anonymous: outcome.anonymous,
  });
  const expiry = readTokenExpiry(input.secret) ?? readHeaderExpiry(responses);
  const message = redactSecret(outcome.message, input.username, input.secret);
  return { outcome: { ...outcome, message }, value, hint, expiry, durationMs: Math.round(performance.now() - started) };
}

/** The code of a check's outcome, for callers that only need it. */
export type { LoginCheckCode };
