import nacl from 'tweetnacl';
import { concatBytes, encodeFields, wipeBytes } from './bytes';

const BLOCK = 128; // SHA-512 block size in bytes

// HMAC-SHA-512 (RFC 2104) over tweetnacl's SHA-512; keys up to one block, as all of ours are.
function hmacSha512(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length > BLOCK) throw new RangeError('hmacSha512 keys are at most 128 bytes');
  const inner = new Uint8Array(BLOCK).fill(0x36);
  const outer = new Uint8Array(BLOCK).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] ?? 0) ^ (key[i] ?? 0);
    outer[i] = (outer[i] ?? 0) ^ (key[i] ?? 0);
  }
  const innerInput = concatBytes([inner, message]);
  const innerHash = nacl.hash(innerInput);
  const outerInput = concatBytes([outer, innerHash]);
  const mac = nacl.hash(outerInput);
  wipeBytes(inner, outer, innerInput, innerHash, outerInput);
  return mac;
}

/**
 * Derives an independent 32-byte key from `key` for one purpose: HMAC-SHA-512 keyed with `key` over the
 * length-prefixed domain and context fields, truncated to 32 bytes (the HKDF-Expand shape with one block).
 */
export function deriveSubkey(
  key: Uint8Array,
  domain: string,
  ...context: readonly (string | Uint8Array)[]
): Uint8Array {
  const mac = hmacSha512(key, encodeFields(domain, ...context));
  const subkey = mac.slice(0, 32);
  wipeBytes(mac);
  return subkey;
}
