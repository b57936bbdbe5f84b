/**
 * Every outcome a login check can report (docs/login-check.md). Shared because the verdict
 * crosses IPC typed by these codes and the renderer keys on them.
 */
export const LOGIN_CHECK_CODES = [
  'ok',
  'unauthorized',
  'forbidden',
  'not-a-registry',
  'dns',
  'refused',
  'unreachable',
  'tls-untrusted',
  'tls-error',
  'timeout',
  'rate-limited',
  'bad-response',
  'unsupported-auth',
  'insecure-refused',
  'invalid-registry',
  'not-run',
] as const;

/** The hint for `not-run`: the renderer gives it itself, since main never saw the request. */
export const NOT_RUN_HINT = 'Nothing was sent to the registry. Check the values in the form, then test again.';

/** One outcome of a login check. */
export type LoginCheckCode = (typeof LOGIN_CHECK_CODES)[number];

/** One line per code saying what it means; docs/login-check.md repeats these. */
export const LOGIN_CHECK_CODE_MEANINGS: Readonly<Record<LoginCheckCode, string>> = {
  ok: 'The registry accepted the credentials (or answered /v2/ without asking for any).',
  unauthorized: 'The registry or its token service rejected the username or secret (HTTP 401).',
  forbidden: 'The credentials were recognised but are not allowed to use the registry (HTTP 403).',
  'not-a-registry': 'The host answered, but /v2/ is not a Docker registry API (404, redirect or a web page).',
  dns: 'The host name could not be resolved.',
  refused: 'The host refused the connection: nothing listens on that port.',
  unreachable: 'The network path to the host failed (unreachable network or host, connection reset).',
  'tls-untrusted': "The registry's certificate is not signed by a trusted CA (self-signed or private CA).",
  'tls-error':
    'The TLS handshake failed for another reason: no HTTPS on that port, wrong host name, expired certificate.',
  timeout: 'No answer within the time limit.',
  'rate-limited': 'The registry or token service refused for too many requests (HTTP 429).',
  'bad-response': 'The registry or its token service answered something a registry does not (5xx, no token, bad JSON).',
  'unsupported-auth': 'The registry asks for an authentication scheme other than Basic or Bearer.',
  'insecure-refused': 'Plain HTTP was asked for a host that is neither loopback nor marked insecure; nothing was sent.',
  'invalid-registry': 'The registry address is not a Docker registry key (host[:port] or https://index.docker.io/v1/).',
  'not-run': 'The app refused the request before anything was sent (for example a secret over 64 KB).',
};

/** A code with its meaning, for documentation and help screens. */
export type LoginCheckCodeDescription = Readonly<{ code: LoginCheckCode; meaning: string }>;

/** Lists every code with its one-line meaning, in the documented order. */
export function describeLoginCheckCodes(): readonly LoginCheckCodeDescription[] {
  return LOGIN_CHECK_CODES.map((code) => ({ code, meaning: LOGIN_CHECK_CODE_MEANINGS[code] }));
}
