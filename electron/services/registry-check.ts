/**
 * Registry login check (DESIGN.md §6): does this username and secret really log in to this registry?
 * A plain Node module (no `electron` import) so tests run it against a real registry. See docs/login-check.md.
 */
import type { LoginCheckCode } from '../../shared/registry/login-check-codes';
import type { TokenExpiry } from '../../shared/registry/token-expiry';
import { runCheck } from './registry-check/check-run';
import { runLoginFlow } from './registry-check/login-flow';

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
  /** When the credential expires, read from the token itself or the registry's answer (GitHub). */
  expiry?: TokenExpiry;
}>;

/**
 * Checks a credential against a registry the way `docker login` does: `GET /v2/`, then Basic or the Bearer token
 * flow the registry's challenge asks for. Never throws; every failure is a code with a message and a hint.
 */
export async function checkLogin(input: LoginCheckInput): Promise<LoginCheckResult> {
  const run = await runCheck(input, async (context) => ({ outcome: await runLoginFlow(context) }));
  const { outcome } = run;
  const result = {
    ok: outcome.code === 'ok',
    code: outcome.code,
    message: outcome.message,
    hint: run.hint,
    durationMs: run.durationMs,
  };
  const withStatus = outcome.status === undefined ? result : { ...result, status: outcome.status };
  // The expiry is only worth reporting for a credential that logged in: it then fills the entry's Expires.
  return run.expiry === undefined || !result.ok ? withStatus : { ...withStatus, expiry: run.expiry };
}
