// Envelopes: one Yjs update sealed with the vault key (secretbox) and signed by its author (Ed25519).
// The header (vault, epoch, author, counter) is both signed and sealed in front of the update, so a
// valid ciphertext cannot be re-labelled with another author, counter or vault.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, equalBytes } from '../crypto/bytes';
import { encodeEnvelopeHeader, encodeSealedMessage } from './canonical';
import type { DeviceSigner, RandomBytes, VerifySignature } from './ports';
import type { WireEnvelope } from './wire-records';

/** A vault key together with the epoch it belongs to. */
export type VaultKey = Readonly<{ epoch: number; key: Uint8Array }>;

/** An envelope with its binary fields decoded. */
export type Envelope = Readonly<{
  vault: string;
  epoch: number;
  author: Uint8Array;
  counter: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}>;

/** Decodes the base64 fields of a schema-checked wire envelope. */
export function decodeEnvelope(wire: WireEnvelope): Envelope {
  return {
    vault: wire.vault,
    epoch: wire.epoch,
    author: decodeBase64(wire.author),
    counter: wire.counter,
    nonce: decodeBase64(wire.nonce),
    ciphertext: decodeBase64(wire.ciphertext),
    sig: decodeBase64(wire.sig),
  };
}

/** Encodes an envelope for the wire. */
export function encodeEnvelope(env: Envelope): WireEnvelope {
  return {
    vault: env.vault,
    epoch: env.epoch,
    author: encodeBase64(env.author),
    counter: env.counter,
    nonce: encodeBase64(env.nonce),
    ciphertext: encodeBase64(env.ciphertext),
    sig: encodeBase64(env.sig),
  };
}

function headerOf(env: Pick<Envelope, 'vault' | 'epoch' | 'author' | 'counter'>): Uint8Array {
  return encodeEnvelopeHeader({ vault: env.vault, epoch: env.epoch, author: env.author, position: env.counter });
}

/** The bytes an envelope's signature covers. */
export function encodeEnvelopeSignedBytes(env: Envelope): Uint8Array {
  return encodeSealedMessage(headerOf(env), env.nonce, env.ciphertext);
}

/** What `sealEnvelope` needs. */
export type SealEnvelopeInput = Readonly<{
  vault: string;
  vaultKey: VaultKey;
  counter: number;
  update: Uint8Array;
  signer: DeviceSigner;
  random: RandomBytes;
}>;

/** Encrypts a Yjs update under the vault key and signs the result with the device key. */
export async function sealEnvelope(input: SealEnvelopeInput): Promise<Envelope> {
  const fields = {
    vault: input.vault,
    epoch: input.vaultKey.epoch,
    author: input.signer.publicKey,
    counter: input.counter,
  };
  const header = headerOf(fields);
  const nonce = input.random(nacl.secretbox.nonceLength);
  const ciphertext = nacl.secretbox(concatBytes([header, input.update]), nonce, input.vaultKey.key);
  const sig = await input.signer.sign(encodeSealedMessage(header, nonce, ciphertext));
  return { ...fields, nonce, ciphertext, sig };
}

/** Checks an envelope's Ed25519 signature against its author key. */
export async function verifyEnvelope(env: Envelope, verify: VerifySignature): Promise<boolean> {
  return verify(env.sig, encodeEnvelopeSignedBytes(env), env.author);
}

/** Decrypts an envelope and checks the sealed header; returns the Yjs update, or null if either fails. */
export function openEnvelope(env: Envelope, vaultKey: VaultKey): Uint8Array | null {
  if (env.epoch !== vaultKey.epoch) return null;
  const plain = nacl.secretbox.open(env.ciphertext, env.nonce, vaultKey.key);
  if (!plain) return null;
  const header = headerOf(env);
  if (plain.length < header.length || !equalBytes(plain.subarray(0, header.length), header)) return null;
  return plain.slice(header.length);
}
