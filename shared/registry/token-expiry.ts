/**
 * When a credential stops working, read from the credential itself (docs/login-check.md, "Expiry from the token"):
 * a JWT's `exp` (ACR Entra tokens, GCP identity tokens, registry tokens), an Amazon ECR authorization token's
 * `expiration` (base64 JSON with payload, datakey, version, type, expiration — also inside `AWS:<that>` as
 * GetAuthorizationToken returns it), and GitHub's `github-authentication-token-expiration` response header.
 * Nothing here verifies a signature: the date only fills the Expires field, the registry still decides.
 */
import { decodeBase64Text, parseJsonObject, readJwtClaims } from './token-text';

/** Where an expiry was read: a JWT's `exp`, an ECR token's `expiration`, or GitHub's response header. */
export const TOKEN_EXPIRY_SOURCES = ['jwt', 'ecr', 'github'] as const;

/** One source of a token's expiry. */
export type TokenExpirySource = (typeof TOKEN_EXPIRY_SOURCES)[number];

/** An expiry the token itself carries: epoch ms, and where it was read. */
export type TokenExpiry = Readonly<{ at: number; from: TokenExpirySource }>;

/** The header GitHub adds to answers for a token that expires ("2026-01-31 12:00:00 UTC"). */
export const GITHUB_EXPIRY_HEADER = 'github-authentication-token-expiration';

// Year 2000 to 9999 in epoch ms: anything else is not a date a credential expires at.
const MIN_MS = 946_684_800_000;
const MAX_MS = 253_402_300_799_000;

function toEpochMs(value: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return toEpochMs(Number(value));
  else if (typeof value === 'string') ms = Date.parse(value);
  if (ms === undefined || Number.isNaN(ms)) return undefined;
  const whole = Math.floor(ms);
  return whole >= MIN_MS && whole <= MAX_MS ? whole : undefined;
}

/** The `exp` claim of a JWT, in epoch ms; undefined when the text is not a JWT or has no usable `exp`. */
export function readJwtExpiry(token: string): number | undefined {
  const claims = readJwtClaims(token);
  return claims === undefined || typeof claims['exp'] !== 'number' ? undefined : toEpochMs(claims['exp']);
}

/** The fields an ECR authorization token's JSON carries; `expiration` is what we read. */
const ECR_FIELDS = ['payload', 'datakey', 'expiration'] as const;

/**
 * The `expiration` of an Amazon ECR authorization token, in epoch ms: the password `aws ecr
 * get-login-password` prints (base64 of JSON), or GetAuthorizationToken's `authorizationToken` (base64 of
 * `AWS:` + that password).
 */
export function readEcrExpiry(token: string): number | undefined {
  let text = decodeBase64Text(token);
  if (text?.startsWith('AWS:')) text = decodeBase64Text(text.slice('AWS:'.length));
  const json = parseJsonObject(text);
  if (json === undefined || !ECR_FIELDS.every((field) => field in json)) return undefined;
  return toEpochMs(json['expiration']);
}

/** Reads the expiry a secret carries itself (JWT or ECR token); undefined for passwords and opaque tokens. */
export function readTokenExpiry(secret: string): TokenExpiry | undefined {
  const trimmed = secret.trim();
  if (trimmed.length < 16 || trimmed.length > 65_536) return undefined;
  const jwt = readJwtExpiry(trimmed);
  if (jwt !== undefined) return { at: jwt, from: 'jwt' };
  const ecr = readEcrExpiry(trimmed);
  return ecr === undefined ? undefined : { at: ecr, from: 'ecr' };
}

/**
 * Parses GitHub's `github-authentication-token-expiration` header ("2026-01-31 12:00:00 UTC", also with a
 * numeric offset such as "+0100"), in epoch ms.
 */
export function parseGithubExpiry(header: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})?$/i.exec(
    header.trim(),
  );
  if (match === null) return undefined;
  const zone = (match[3] ?? 'Z').toUpperCase();
  const offset = zone === 'UTC' || zone === 'GMT' || zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  return toEpochMs(`${match[1]}T${match[2]}${offset}`);
}
