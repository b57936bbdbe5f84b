// What envelopes and snapshots share: the binary fields (author, nonce, ciphertext, signature),
// converted between the wire's base64 and bytes in one place, and the sealing itself — the header is
// sealed in front of the body and signed with the ciphertext, so a valid ciphertext cannot be
// re-labelled with another vault, epoch, author or position.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, equalBytes } from '../crypto/bytes';
import { encodeSealedMessage } from './canonical';
import type { VaultKey } from './envelope';
import type { DeviceSigner, RandomBytes } from './ports';

/** The shared fields as bytes. */
export type SealedBytes = Readonly<{ author: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array; sig: Uint8Array }>;

/** The shared fields as the wire carries them. */
export type SealedText = Readonly<{ author: string; nonce: string; ciphertext: string; sig: string }>;

/** Decodes the shared fields of a schema-checked wire record (its other fields are kept as they are). */
export function decodeSealedFields<W extends SealedText>(wire: W): Omit<W, keyof SealedText> & SealedBytes {
  return {
    ...wire,
    author: decodeBase64(wire.author),
    nonce: decodeBase64(wire.nonce),
    ciphertext: decodeBase64(wire.ciphertext),
    sig: decodeBase64(wire.sig),
  };
}

/** Encodes the shared fields of a record for the wire (its other fields are kept as they are). */
export function encodeSealedFields<B extends SealedBytes>(record: B): Omit<B, keyof SealedBytes> & SealedText {
  return {
    ...record,
    author: encodeBase64(record.author),
    nonce: encodeBase64(record.nonce),
    ciphertext: encodeBase64(record.ciphertext),
    sig: encodeBase64(record.sig),
  };
}

/** A copy of `record` with exactly `keys` (a record built elsewhere may carry more, e.g. a stored row's seq). */
export function pickFields<T extends object, K extends keyof T>(record: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = record[key];
  return picked;
}

/** Seals `header ‖ body` under the vault key with a fresh nonce and signs header, nonce and ciphertext. */
export async function sealBehindHeader(
  header: Uint8Array,
  body: Uint8Array,
  vaultKey: VaultKey,
  signer: DeviceSigner,
  random: RandomBytes,
): Promise<Pick<SealedBytes, 'nonce' | 'ciphertext' | 'sig'>> {
  const nonce = random(nacl.secretbox.nonceLength);
  const ciphertext = nacl.secretbox(concatBytes([header, body]), nonce, vaultKey.key);
  const sig = await signer.sign(encodeSealedMessage(header, nonce, ciphertext));
  return { nonce, ciphertext, sig };
}

/** Opens a sealed record whose sealed header must equal `header`; the body after it, or null. */
export function openBehindHeader(
  record: Readonly<{ epoch: number; nonce: Uint8Array; ciphertext: Uint8Array }>,
  header: Uint8Array,
  vaultKey: VaultKey,
): Uint8Array | null {
  if (record.epoch !== vaultKey.epoch) return null;
  const plain = nacl.secretbox.open(record.ciphertext, record.nonce, vaultKey.key);
  if (!plain) return null;
  if (plain.length < header.length || !equalBytes(plain.subarray(0, header.length), header)) return null;
  return plain.slice(header.length);
}
