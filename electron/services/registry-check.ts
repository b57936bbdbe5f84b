/**
 * Registry login check (DESIGN.md §6): does this username and secret really log in to this registry?
 * A plain Node module (no `electron` import) so tests run it against a real registry. See docs/login-check.md.
 */
import { X509Certificate } from 'node:crypto';
import type { LoginCheckCode } from '../../shared/registry/login-check-codes';
import { selectHint } from './registry-check/hints';
import { classifyRequestError } from './registry-check/http-request';
import { runLoginFlow } from './registry-check/login-flow';
import type { FlowOutcome } from './registry-check/outcome';
import { createOutcome } from './registry-check/outcome';
import type { RegistryTarget } from './registry-check/target';
import { buildPingUrl, resolveTarget } from './registry-check/target';

export {
  LOGIN_CHECK_CODES,
  LOGIN_CHECK_CODE_MEANINGS,
  describeLoginCheckCodes,
} from '../../shared/registry/login-check-codes';
export type { LoginCheckCode, LoginCheckCodeDescription } from '../../shared/registry/login-check-codes';
export { parseAuthChallenges } from './registry-check/challenge';
export type { AuthChallenge } from './registry-check/challenge';
export { isLoopbackHost, resolveTarget } from './registry-check/target';
export type { RegistryTarget } from './registry-check/target';

/** What to check. `registry` is a Docker `auths` key: `https://index.docker.io/v1/` or `host[:port]`. */
export type LoginCheckInput = Readonly<{
  registry: string;
  username: string;
  secret: string;
  /** Allow plain HTTP to a host that is not loopback. Certificates are still verified over HTTPS. */
  insecure?: boolean;
  /** PEM of a CA to trust in addition to Node's roots (self-signed or private-CA registries). */
  caCertificate?: string;
  /** Limit for the whole check, DNS to last byte; default 15 s. */
  timeoutMs?: number;
}>;

/** The verdict, with a message naming what happened and a hint saying what to do; never contains the secret. */
export type LoginCheckResult = Readonly<{
  ok: boolean;
  code: LoginCheckCode;
  /** The last HTTP status seen, when there was one. */
  status?: number;
  message: string;
  hint: string;
  durationMs: number;
}>;

const defaultTimeoutMs = 15_000;
const maxTimeoutMs = 120_000;

function clampTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) return defaultTimeoutMs;
  return Math.min(Math.max(Math.floor(timeoutMs), 1), maxTimeoutMs);
}

/** Removes the secret (and its Basic encoding) from a text: a last guard, since no message is built from it. */
function redactSecret(text: string, username: string, secret: string): string {
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

async function runCheck(
  target: RegistryTarget,
  input: LoginCheckInput,
  caCertificate: string | undefined,
  deadline: number,
): Promise<FlowOutcome> {
  const invalidCa = caCertificate === undefined ? undefined : checkCaCertificate(caCertificate);
  if (invalidCa !== undefined) return invalidCa;
  const plainHttpAllowed = target.loopback || input.insecure === true;
  const context = { target, username: input.username, secret: input.secret, caCertificate, plainHttpAllowed, deadline };
  try {
    return await runLoginFlow(context);
  } catch (error) {
    const failure = classifyRequestError(error, buildPingUrl(target, 'https'));
    return { code: failure.code, message: failure.message, detail: failure.detail, anonymous: false };
  }
}

/**
 * Checks a credential against a registry the way `docker login` does: `GET /v2/`, then Basic or the Bearer token
 * flow the registry's challenge asks for. Never throws; every failure is a code with a message and a hint.
 */
export async function checkLogin(input: LoginCheckInput): Promise<LoginCheckResult> {
  const started = performance.now();
  const deadline = started + clampTimeout(input.timeoutMs);
  const caCertificate = input.caCertificate?.trim() ? input.caCertificate : undefined;
  const resolution = resolveTarget(input.registry);
  const outcome = resolution.ok
    ? await runCheck(resolution.target, input, caCertificate, deadline)
    : createOutcome('invalid-registry', resolution.reason);
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
  const result = {
    ok: outcome.code === 'ok',
    code: outcome.code,
    message: redactSecret(outcome.message, input.username, input.secret),
    hint,
    durationMs: Math.round(performance.now() - started),
  };
  return outcome.status === undefined ? result : { ...result, status: outcome.status };
}
