// Envelopes: one Yjs update sealed with the vault key (secretbox) and signed by its author (Ed25519).
// The header (vault, epoch, author, counter, member-log position) is both signed and sealed in front of
// the update, so a valid ciphertext cannot be re-labelled with another author, counter, position or vault.
import { encodeEnvelopeHeader, encodeSealedMessage } from './canonical';
import type { DeviceSigner, RandomBytes, VerifySignature } from './ports';
import {
  decodeSealedFields,
  encodeSealedFields,
  openBehindHeader,
  pickFields,
  sealBehindHeader,
} from './sealed-fields';
import type { WireEnvelope } from './wire-records';

/** A vault key together with the epoch it belongs to. */
export type VaultKey = Readonly<{ epoch: number; key: Uint8Array }>;

/** An envelope with its binary fields decoded. */
export type Envelope = Readonly<{
  vault: string;
  epoch: number;
  author: Uint8Array;
  counter: number;
  /** The member-log position the author wrote under. */
  members: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}>;

const envelopeFields = ['vault', 'epoch', 'author', 'counter', 'members', 'nonce', 'ciphertext', 'sig'] as const;

/** Decodes the base64 fields of a schema-checked wire envelope. */
export function decodeEnvelope(wire: WireEnvelope): Envelope {
  return pickFields(decodeSealedFields(wire), envelopeFields);
}

/** Encodes a envelope for the wire. */
export function encodeEnvelope(env: Envelope): WireEnvelope {
  return pickFields(encodeSealedFields(env), envelopeFields);
}

function headerOf(env: Pick<Envelope, 'vault' | 'epoch' | 'author' | 'counter' | 'members'>): Uint8Array {
  return encodeEnvelopeHeader({
    vault: env.vault,
    epoch: env.epoch,
    author: env.author,
    position: env.counter,
    members: env.members,
  });
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
  /** How many member records the author has verified: the state its rights are judged under. */
  members: number;
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
    members: input.members,
  };
  const sealed = await sealBehindHeader(headerOf(fields), input.update, input.vaultKey, input.signer, input.random);
  return { ...fields, ...sealed };
}

/** Checks an envelope's Ed25519 signature against its author key. */
export async function verifyEnvelope(env: Envelope, verify: VerifySignature): Promise<boolean> {
  return verify(env.sig, encodeEnvelopeSignedBytes(env), env.author);
}

/** Decrypts an envelope and checks the sealed header; returns the Yjs update, or null if either fails. */
export function openEnvelope(env: Envelope, vaultKey: VaultKey): Uint8Array | null {
  return openBehindHeader(env, headerOf(env), vaultKey);
}
