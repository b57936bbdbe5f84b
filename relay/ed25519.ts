// Ed25519 verification for the relay with node:crypto (~80× faster than tweetnacl's verify). Raw
// 32-byte public keys become KeyObjects through the fixed SPKI DER prefix of an Ed25519 key.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { VerifySignature } from '../shared/sync/ports';

const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
const maxCachedKeys = 10_000;

/** A synchronous Ed25519 verifier (usable wherever a `VerifySignature` is expected). */
export type Ed25519Verifier = VerifySignature &
  ((signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean);

/** Creates a verifier that caches the KeyObject of each public key it has seen (bounded). */
export function createEd25519Verifier(): Ed25519Verifier {
  const cache = new Map<string, KeyObject | null>();

  function keyObjectOf(publicKey: Uint8Array): KeyObject | null {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64');
    let key = cache.get(id);
    if (key !== undefined) return key;
    try {
      key =
        publicKey.length === 32
          ? createPublicKey({ key: Buffer.concat([spkiPrefix, publicKey]), format: 'der', type: 'spki' })
          : null;
    } catch {
      key = null;
    }
    if (cache.size >= maxCachedKeys) cache.clear();
    cache.set(id, key);
    return key;
  }

  const verifyNow = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
    const key = keyObjectOf(publicKey);
    if (!key || signature.length !== 64) return false;
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
  return verifyNow;
}
