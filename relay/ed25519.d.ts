import type { VerifySignature } from '../shared/sync/ports';
/** A synchronous Ed25519 verifier (usable wherever a `VerifySignature` is expected). */
export type Ed25519Verifier = VerifySignature & ((signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean);
/** Creates a verifier that caches the KeyObject of each public key it has seen (bounded). */
export declare function createEd25519Verifier(): Ed25519Verifier;
