// Pairing: how a device accepts a vault key only from the device its user meant. The device being
// linked makes a one-time secret and shows it inside its code (with its public keys); the granting
// device proves it read that code by a MAC over the grant keyed from the secret; the receiving
// device imports only grants that carry such a proof for a secret it made, has not used, and that
// has not expired. Both show a short fingerprint of (secret, granter, receiver) to compare, which
// also catches someone who copied the code and granted first. Team invitations build on this.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, encodeU32, equalBytes, readU32 } from '../crypto/bytes';
import { deriveSubkey } from '../crypto/subkey';
import { fail, ok, type Failure, type Result } from '../result';
import { encodeGrantMessage, type GrantFields } from './canonical';
import type { DeviceIdentity } from './grants';
import type { RandomBytes } from './ports';
import type { WireGrant, WirePairingProof } from './wire-records';

/** How long a pairing code may be used after it was shown. */
export const PAIRING_TTL_MS = 10 * 60_000;

const SECRET_BYTES = 32;
const codePrefix = 'rv2-';
const oldCodePrefix = 'rv1-';
// signing key ‖ box key ‖ secret ‖ expiry (u32 seconds) ‖ checksum
const CODE_BYTES = 32 + 32 + SECRET_BYTES + 4 + 4;

/** A pairing this device started: kept in memory only, so lock or quit voids its code. */
export type Pairing = Readonly<{ id: string; secret: Uint8Array; expiresAt: number }>;

/** What a granting device reads from a pairing code. */
export type PairingInvite = Readonly<{ identity: DeviceIdentity; secret: Uint8Array; expiresAt: number }>;

/** Why a pairing code cannot be used. */
export type PairingCodeProblem = 'malformed' | 'old-format' | 'expired';

/** The public id of a pairing: lets the receiver find its secret without the relay learning it. */
function pairingIdOf(secret: Uint8Array): string {
  return encodeBase64(deriveSubkey(secret, 'regvault/v1/pairing-id').slice(0, 16));
}

/** Starts a pairing: a fresh secret that expires `PAIRING_TTL_MS` from `now`. */
export function startPairing(random: RandomBytes, now: number): Pairing {
  const secret = random(SECRET_BYTES);
  // Whole seconds, as the code carries them, so both sides agree on the deadline.
  const expiresAt = Math.floor((now + PAIRING_TTL_MS) / 1000) * 1000;
  return { id: pairingIdOf(secret), secret, expiresAt };
}

/** A pairing over a secret made elsewhere (a team invitation's), valid until `expiresAt`. */
export function pairingFromSecret(secret: Uint8Array, expiresAt: number): Pairing {
  return { id: pairingIdOf(secret), secret, expiresAt };
}

function checksum(bytes: Uint8Array): Uint8Array {
  return nacl.hash(bytes).slice(0, 4);
}

/** Base64url without padding (codes a user copies). */
export function toBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The code the device being linked shows: `rv2-` + base64url(keys ‖ secret ‖ expiry ‖ checksum). */
export function encodePairingCode(identity: DeviceIdentity, pairing: Pairing): string {
  const body = concatBytes([identity.signing, identity.box, pairing.secret, encodeU32(pairing.expiresAt / 1000)]);
  return codePrefix + toBase64Url(concatBytes([body, checksum(body)]));
}

/** Reads a pairing code; refuses a typo, a code of the old format (public keys only) and an expired one. */
export function decodePairingCode(code: string, now: number): PairingInvite | PairingCodeProblem {
  const trimmed = code.trim();
  if (trimmed.startsWith(oldCodePrefix)) return 'old-format';
  if (!trimmed.startsWith(codePrefix)) return 'malformed';
  const text = trimmed.slice(codePrefix.length).replace(/-/g, '+').replace(/_/g, '/');
  const length = Math.ceil((CODE_BYTES * 4) / 3);
  if (!new RegExp(`^[A-Za-z0-9+/]{${length}}$`).test(text)) return 'malformed';
  const bytes = decodeBase64(text.padEnd(Math.ceil(length / 4) * 4, '='));
  const body = bytes.subarray(0, CODE_BYTES - 4);
  if (!equalBytes(checksum(body), bytes.subarray(CODE_BYTES - 4))) return 'malformed';
  const expiresAt = readU32(body, 96) * 1000;
  if (now >= expiresAt) return 'expired';
  return {
    identity: { signing: body.slice(0, 32), box: body.slice(32, 64) },
    secret: body.slice(64, 96),
    expiresAt,
  };
}

/** HMAC-SHA-512 keyed with the secret over the domain and the grant's signed bytes, 32 bytes kept. */
function macOf(secret: Uint8Array, fields: GrantFields): Uint8Array {
  return deriveSubkey(secret, 'regvault/v1/pairing-mac', encodeGrantMessage(fields));
}

/** The proof a granting device attaches to a grant: the pairing id and a MAC over the signed grant fields. */
export function provePairing(secret: Uint8Array, fields: GrantFields): WirePairingProof {
  return { id: pairingIdOf(secret), mac: encodeBase64(macOf(secret, fields)) };
}

/** Why a grant does not prove a pairing of this device. */
export type PairingMismatch = Failure<'no-proof' | 'unknown-pairing' | 'pairing-expired' | 'bad-proof'>;

/**
 * The pairing a grant proves, among those this device started and has not used; otherwise why not:
 * no proof, an unknown (or used) pairing, an expired one, or a MAC that does not verify.
 */
export function matchPairing(
  grant: WireGrant,
  fields: GrantFields,
  pairings: readonly Pairing[],
  now: number,
): Result<Pairing, PairingMismatch> {
  if (grant.pairing === undefined) return fail('no-proof', 'the grant is not from a pairing this device started');
  const pairing = pairings.find((p) => p.id === grant.pairing?.id);
  if (pairing === undefined) {
    return fail('unknown-pairing', 'the grant is for a pairing code this device did not show, or one already used');
  }
  if (now >= pairing.expiresAt)
    return fail('pairing-expired', 'the pairing code expired before the grant was received');
  if (!equalBytes(macOf(pairing.secret, fields), decodeBase64(grant.pairing.mac))) {
    return fail(
      'bad-proof',
      'the grant does not prove the pairing code (it was not made from the code this device showed)',
    );
  }
  return ok(pairing);
}

/**
 * The short code both devices show after pairing, to compare by eye: 12 digits from the secret and
 * both devices' signing keys. Someone who copied the code and granted first gets different digits.
 */
export function pairingFingerprint(secret: Uint8Array, granter: Uint8Array, receiver: Uint8Array): string {
  return fingerprintDigits(deriveSubkey(secret, 'regvault/v1/pairing-fingerprint', granter, receiver));
}

/** Twelve digits in groups of three from the first 8 bytes of a digest: what users compare by eye. */
export function fingerprintDigits(digest: Uint8Array): string {
  let value = 0n;
  for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  const digits = (value % 10n ** 12n).toString().padStart(12, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6, 9)} ${digits.slice(9)}`;
}

/** A signer's short fingerprint, for listing a grant that was not imported. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return toBase64Url(nacl.hash(publicKey).slice(0, 6));
}
