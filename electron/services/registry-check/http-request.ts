import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request as requestHttp } from 'node:http';
import { request as requestHttps } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { LoginCheckCode } from '../../../shared/registry/login-check-codes';

/** What a failed connection looked like, beyond its code: drives the plain-HTTP fallback and the hints. */
export type FailureDetail = 'not-tls' | 'hostname-mismatch' | 'expired' | 'bad-ca-certificate' | 'none';

/** An answer, with the body cut at `maxBodyBytes` (a login check never needs more). */
export type HttpResponse = Readonly<{ status: number; headers: IncomingHttpHeaders; body: string }>;

/** One request of a check (GET unless said). `deadline` is on the `performance.now()` clock and covers DNS to last byte. */
export type RequestSpec = Readonly<{
  url: URL;
  /** GET by default; an access test also sends HEAD, POST (an empty upload start) and DELETE (its cancel). */
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** A small request body (the access test's deliberately invalid manifest) and its type. */
  body?: Readonly<{ text: string; type: string }>;
  /** The `Accept` header; JSON by default. */
  accept?: string;
  authorization?: string;
  caCertificate?: string;
  deadline: number;
}>;

/** A request that got no HTTP answer, already mapped to a login-check code. */
export class RequestFailure extends Error {
  constructor(
    readonly code: LoginCheckCode,
    readonly detail: FailureDetail,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

const maxBodyBytes = 64 * 1024;
const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const untrustedCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const expiredCodes = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const unreachableCodes = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);
/** OpenSSL's words for "the other side does not speak TLS" (a plain HTTP server answered the ClientHello). */
const notTlsPattern = /wrong version number|packet length too long|http request|unknown protocol/i;

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Maps a Node socket/TLS error to a login-check failure; messages name the host, never headers. */
export function classifyRequestError(error: unknown, url: URL): RequestFailure {
  const code = errorCode(error);
  const where = url.host;
  const text = error instanceof Error ? error.message : String(error);
  if (dnsCodes.has(code))
    return new RequestFailure('dns', 'none', `The host name ${url.hostname} could not be resolved (${code}).`);
  if (code === 'ECONNREFUSED') return new RequestFailure('refused', 'none', `${where} refused the connection.`);
  if (code === 'ETIMEDOUT') return new RequestFailure('timeout', 'none', `Connecting to ${where} timed out.`);
  if (untrustedCodes.has(code)) {
    return new RequestFailure('tls-untrusted', 'none', `The certificate of ${where} is not trusted (${code}).`);
  }
  if (expiredCodes.has(code)) {
    return new RequestFailure(
      'tls-error',
      'expired',
      `The certificate of ${where} is expired or not yet valid (${code}).`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new RequestFailure(
      'tls-error',
      'hostname-mismatch',
      `The certificate of ${where} does not name ${url.hostname}.`,
    );
  }
  if (notTlsPattern.test(text)) {
    return new RequestFailure(
      'tls-error',
      'not-tls',
      `${where} does not answer HTTPS (the TLS handshake got plain data).`,
    );
  }
  if (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    /certificate|ssl|tls/i.test(code)
  ) {
    return new RequestFailure('tls-error', 'none', `The TLS handshake with ${where} failed (${code}).`);
  }
  if (unreachableCodes.has(code))
    return new RequestFailure('unreachable', 'none', `The connection to ${where} failed (${code}).`);
  return new RequestFailure('unreachable', 'none', `The request to ${where} failed (${code || 'unknown error'}).`);
}

/** Reads a response body up to the size cap; stops reading (and drops the socket) past it. */
function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= maxBodyBytes) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBodyBytes) {
        resolve(Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8'));
        response.destroy();
      }
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete && size < maxBodyBytes) reject(new Error('response closed before its end'));
    });
  });
}

/** Sends one request with its own socket (no keep-alive pool), the given CA added to Node's roots, and a hard deadline. */
export function sendRequest(spec: RequestSpec): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const remaining = Math.floor(spec.deadline - performance.now());
    if (remaining <= 0) {
      reject(new RequestFailure('timeout', 'none', `No time left to ask ${spec.url.host}.`));
      return;
    }
    let timedOut = false;
    const fail = (error: unknown): void => {
      const timeout = new RequestFailure('timeout', 'none', `${spec.url.host} did not answer within the time limit.`);
      reject(timedOut ? timeout : error instanceof RequestFailure ? error : classifyRequestError(error, spec.url));
    };
    const headers: Record<string, string> = {
      accept: spec.accept ?? 'application/json',
      'user-agent': 'Regvault-login-check',
    };
    if (spec.authorization !== undefined) headers['authorization'] = spec.authorization;
    const method = spec.method ?? 'GET';
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body.text, 'utf8');
    if (spec.body !== undefined) headers['content-type'] = spec.body.type;
    // An upload start carries no body: say so, or some servers wait for one.
    if (method === 'POST' || method === 'PUT') headers['content-length'] = String(body?.length ?? 0);
    const secure = spec.url.protocol === 'https:';
    const ca = secure && spec.caCertificate !== undefined ? { ca: [...rootCertificates, spec.caCertificate] } : {};
    // Node's default, written out so no option or environment (NODE_TLS_REJECT_UNAUTHORIZED) can turn it off here.
    const tls = secure ? { rejectUnauthorized: true, ...ca } : {};
    const send = secure ? requestHttps : requestHttp;
    let request: ClientRequest;
    try {
      request = send(spec.url, { method, headers, agent: false, ...tls }, (response) => {
        readBody(response).then(
          (body) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          fail,
        );
      });
    } catch (error) {
      fail(error); // e.g. a header Node refuses to send
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error('deadline reached'));
    }, remaining);
    request.on('error', fail);
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
