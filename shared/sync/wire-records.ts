// Schemas of the signed records carried inside frames: envelopes, snapshots, member-log records and
// vault-key grants. Binary fields travel as padded standard base64; lengths are checked here so the
// decoders never see a key or nonce of the wrong size.
import { z } from 'zod';

/** Protocol version spoken by this code; `hello` and `auth` carry it. */
export const protocolVersion = 5;

const base64Chars = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Base64 text of any length (multiple of 4), in its one canonical spelling: spare bits before the
 * padding must be zero. Another spelling of the same bytes would be another map key on the relay
 * for the same author (issue #11, item 2), so it is refused, not normalized.
 */
export const base64Schema = z
  .string()
  .regex(base64Chars)
  .refine((text) => text.length % 4 === 0, 'base64 length must be a multiple of 4')
  .refine(isCanonicalBase64, 'base64 must be canonical (spare bits zero)');

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Only the character before the padding has spare bits (4 before "==", 2 before "="); they must be
// zero. Checking that one character keeps the hot path free of a decode and re-encode per field.
// Runs even after an earlier check failed (zod keeps checking), so it must not throw on bad input.
function isCanonicalBase64(text: string): boolean {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding === 0) return true;
  const value = alphabet.indexOf(text.charAt(text.length - padding - 1));
  return value >= 0 && (value & (padding === 2 ? 0b1111 : 0b11)) === 0;
}

/** Base64 text of exactly `bytes` decoded bytes. */
export function fixedBase64Schema(bytes: number) {
  const length = Math.ceil(bytes / 3) * 4;
  return base64Schema.refine(
    (text) => text.length === length && decodedLength(text) === bytes,
    `expected ${bytes} bytes`,
  );
}

function decodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** A raw Ed25519 or X25519 public key (32 bytes). */
export const publicKeySchema = fixedBase64Schema(32);
/** An Ed25519 signature (64 bytes). */
export const signatureSchema = fixedBase64Schema(64);
/** A secretbox / box nonce (24 bytes). */
export const nonceSchema = fixedBase64Schema(24);
/** A vault id: 16–64 URL-safe characters chosen by the vault's creator (random, e.g. 22 chars of base64url). */
export const vaultIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
/** Key epoch: a u32, bumped when a vault key is rotated. */
export const epochSchema = z.number().int().min(0).max(0xffffffff);
/** A per-author counter: starts at 1, strictly increasing per author per vault. */
export const counterSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A member-log position: how many records the author had verified (at least the genesis). */
export const memberPositionSchema = z.number().int().min(1).max(0xffff_ffff);
/** A per-vault sequence number assigned by the relay (0 = before the first envelope). */
export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** An encrypted, signed Yjs update (see docs/protocol.md §Envelope). */
export const envelopeSchema = z.strictObject({
  vault: vaultIdSchema,
  epoch: epochSchema,
  author: publicKeySchema,
  counter: counterSchema,
  // The member-log position the author wrote under: the state its rights and epoch are judged under.
  members: memberPositionSchema,
  nonce: nonceSchema,
  ciphertext: base64Schema,
  sig: signatureSchema,
});
/** Wire form of an envelope. */
export type WireEnvelope = Readonly<z.infer<typeof envelopeSchema>>;

/** An encrypted, signed document state covering every envelope up to `seq`. */
export const snapshotSchema = z.strictObject({
  vault: vaultIdSchema,
  epoch: epochSchema,
  author: publicKeySchema,
  seq: seqSchema,
  nonce: nonceSchema,
  ciphertext: base64Schema,
  sig: signatureSchema,
});
/** Wire form of a snapshot. */
export type WireSnapshot = Readonly<z.infer<typeof snapshotSchema>>;

/**
 * What a member may do: admins sign member records; admins, managers and writers publish;
 * readers only read. Managers and admins may also delete entries, which the relay cannot see,
 * so peers check it (protocol.md §6).
 */
export const roleSchema = z.enum(['admin', 'manager', 'writer', 'reader']);
/** A member role. */
export type Role = z.infer<typeof roleSchema>;

/** One record of a vault's hash-chained member log; record 0 (the genesis) registers the vault. */
export const memberRecordSchema = z.strictObject({
  vault: vaultIdSchema,
  index: z.number().int().min(0).max(0xffffffff),
  prev: fixedBase64Schema(32),
  action: z.enum(['add', 'remove', 'rotate']),
  subject: publicKeySchema,
  role: roleSchema,
  signer: publicKeySchema,
  sig: signatureSchema,
  last: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** On a `rotate` record: every key that may still write under the old epoch with its counter, keys ascending. */
  counters: z
    .array(z.strictObject({ device: publicKeySchema, counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }))
    .max(5000)
    .optional(),
});
/** Wire form of a member record. */
export type WireMemberRecord = Readonly<z.infer<typeof memberRecordSchema>>;

/** A granting device's proof that it read the receiver's pairing code (shared/sync/pairing.ts). */
export const pairingProofSchema = z.strictObject({ id: fixedBase64Schema(16), mac: fixedBase64Schema(32) });
/** Wire form of a pairing proof. */
export type WirePairingProof = Readonly<z.infer<typeof pairingProofSchema>>;

/** A vault key sealed to one device's X25519 key (nacl.box from an ephemeral key), signed by an admin. */
export const grantSchema = z.strictObject({
  vault: vaultIdSchema,
  epoch: epochSchema,
  recipient: publicKeySchema,
  recipientBox: publicKeySchema,
  ephemeral: publicKeySchema,
  nonce: nonceSchema,
  box: base64Schema,
  signer: publicKeySchema,
  sig: signatureSchema,
  /** Absent only in grants stored by relays before pairing; receivers refuse those. */
  pairing: pairingProofSchema.optional(),
});
/** Wire form of a key grant. */
export type WireGrant = Readonly<z.infer<typeof grantSchema>>;
