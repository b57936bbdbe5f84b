/**
 * Reading what tokens say about themselves without trusting them: a JWT's claims (unverified — only used to
 * describe the token, never to grant anything) and base64 text in either alphabet, padded or not.
 */
import { decodeBase64, decodeUtf8 } from '../crypto/bytes';

/** Decodes base64 or base64url text, with or without padding, as UTF-8; undefined when it is neither. */
export function decodeBase64Text(text: string): string | undefined {
  const standard = text.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (standard === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(standard)) return undefined;
  const bare = standard.replace(/=+$/, '');
  if (bare.length % 4 === 1) return undefined;
  const padded = bare + '='.repeat((4 - (bare.length % 4)) % 4);
  try {
    return decodeUtf8(decodeBase64(padded)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Parses JSON text into a plain object; undefined for anything else. */
export function parseJsonObject(text: string | undefined): Readonly<Record<string, unknown>> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The claims of a compact JWS/JWT (`header.payload.signature`), unverified; undefined when it is not one. */
export function readJwtClaims(token: string): Readonly<Record<string, unknown>> | undefined {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
  const header = parseJsonObject(decodeBase64Text(parts[0] ?? ''));
  if (header === undefined || typeof header['alg'] !== 'string') return undefined;
  return parseJsonObject(decodeBase64Text(parts[1] ?? ''));
}
