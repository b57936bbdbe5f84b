// Team invitations: an admin hands a person a code; the person's device asks to join through the
// relay's mailbox; the admin's app completes the pairing by itself (member record + key grant with a
// pairing proof). One 32-byte secret inside the code drives everything, each use from its own subkey:
// the mailbox key (an Ed25519 key pair whose public half is the invitation's public id — the relay
// accepts a join request or a decline only when signed with it), the key sealing the invitee's name
// from the relay, the pairing secret the grant proves, and the fingerprint both people compare.
import nacl from 'tweetnacl';
import { z } from 'zod';
import {
  concatBytes,
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeFields,
  encodeUtf8,
  equalBytes,
} from '../crypto/bytes';
import { deriveSubkey } from '../crypto/subkey';
import { parseJsonOrNull } from '../json-text';
import type { WireDecline, WireJoinRequest } from './invitation-wire';
import { fingerprintDigits, pairingFromSecret, toBase64Url, type Pairing } from './pairing';
import type { RandomBytes } from './ports';
import { roleSchema, type Role } from './wire-records';

/** How long an invitation code may be used after it was made. */
export const INVITATION_TTL_MS = 24 * 60 * 60_000;

const codePrefix = 'rvi1-';
const SECRET_BYTES = 32;
const MAX_NAME = 200;

/** What an invitation says (the code carries all of it). */
export type Invitation = Readonly<{
  relayUrl: string;
  vaultId: string;
  vaultName: string;
  inviterName: string;
  role: Role;
  /** The inviting admin's signing key (base64). */
  inviterKey: string;
  secret: Uint8Array;
  /** Milliseconds, whole seconds (the code carries seconds). */
  expiresAt: number;
  /** The invitee is a pipeline or service (a headless agent): Members tags it "Service". */
  service?: boolean;
}>;

/** What an admin fills in to invite someone (the rest is made here). */
export type InvitationInput = Omit<Invitation, 'secret' | 'expiresAt'>;

/** Why an invitation code cannot be used. */
export type InvitationCodeProblem = 'malformed' | 'expired';

/** The invitee's name card, sealed inside its join request. */
export type JoinCard = Readonly<{ name: string; person: string }>;

const codeSchema = z.strictObject({
  u: z.string().min(1).max(2048),
  v: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  n: z.string().min(1).max(MAX_NAME),
  i: z.string().min(1).max(MAX_NAME),
  r: roleSchema,
  k: z.string().length(44),
  s: z.string().length(43),
  e: z.number().int().min(0).max(0xffffffff),
  p: z.literal(1).optional(),
});
const cardSchema = z.strictObject({ name: z.string().min(1).max(MAX_NAME), person: z.string().min(1).max(64) });

/** Makes an invitation with a fresh secret, expiring `INVITATION_TTL_MS` after `now`. */
export function createInvitation(input: InvitationInput, random: RandomBytes, now: number): Invitation {
  const expiresAt = Math.floor((now + INVITATION_TTL_MS) / 1000) * 1000;
  return { ...input, secret: random(SECRET_BYTES), expiresAt };
}

function checksum(bytes: Uint8Array): Uint8Array {
  return nacl.hash(bytes).slice(0, 4);
}

/** The code the admin copies to the invitee: `rvi1-` + base64url(JSON ‖ checksum). */
export function encodeInvitationCode(invitation: Invitation): string {
  const body = encodeUtf8(
    JSON.stringify({
      u: invitation.relayUrl,
      v: invitation.vaultId,
      n: invitation.vaultName,
      i: invitation.inviterName,
      r: invitation.role,
      k: invitation.inviterKey,
      s: toBase64Url(invitation.secret),
      e: invitation.expiresAt / 1000,
      // Only when set, so the codes of people stay as they were.
      ...(invitation.service ? { p: 1 } : {}),
    }),
  );
  return codePrefix + toBase64Url(concatBytes([body, checksum(body)]));
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  return decodeBase64(standard.padEnd(Math.ceil(standard.length / 4) * 4, '='));
}

/** Reads an invitation code; refuses a typo (checksum, shape) and an expired one. */
export function decodeInvitationCode(code: string, now: number): Invitation | InvitationCodeProblem {
  const trimmed = code.trim();
  if (!trimmed.startsWith(codePrefix) || trimmed.length > 4096) return 'malformed';
  const bytes = fromBase64Url(trimmed.slice(codePrefix.length));
  if (!bytes || bytes.length < 5) return 'malformed';
  const body = bytes.subarray(0, bytes.length - 4);
  if (!equalBytes(checksum(body), bytes.subarray(bytes.length - 4))) return 'malformed';
  const text = decodeUtf8(body);
  const json = parseJsonOrNull(text);
  const parsed = codeSchema.safeParse(json);
  const secret = parsed.success ? fromBase64Url(parsed.data.s) : null;
  if (!parsed.success || !secret || secret.length !== SECRET_BYTES) return 'malformed';
  const { u, v, n, i, r, k, e, p } = parsed.data;
  if (now >= e * 1000) return 'expired';
  const service = p === 1 ? { service: true } : {};
  return {
    relayUrl: u,
    vaultId: v,
    vaultName: n,
    inviterName: i,
    role: r,
    inviterKey: k,
    secret,
    expiresAt: e * 1000,
    ...service,
  };
}

/** The invitation's mailbox key pair; its public half (base64) is the invitation's public id on the relay. */
export function invitationKeyPair(secret: Uint8Array): nacl.SignKeyPair {
  return nacl.sign.keyPair.fromSeed(deriveSubkey(secret, 'regvault/v1/invitation-key'));
}

/** The invitation's public id: what the relay's mailbox is keyed by. */
export function invitationId(secret: Uint8Array): string {
  return encodeBase64(invitationKeyPair(secret).publicKey);
}

/** The pairing the admin's key grant proves: the invitee imports only a grant made by someone who read the code. */
export function invitationPairing(invitation: Invitation): Pairing {
  return pairingFromSecret(deriveSubkey(invitation.secret, 'regvault/v1/invitation-pairing'), invitation.expiresAt);
}

/** The joining device's public keys (base64), as its join request names them. */
export type Joiner = Readonly<{ device: string; box: string }>;

/**
 * Twelve digits over everything the code says and the joining device's keys, keyed by the code's secret:
 * the invitee computes them for itself, the admin for the request that arrived. Someone else who holds
 * the code joins with other keys, so the admin sees other digits than the invitee says.
 */
export function invitationFingerprint(invitation: Invitation, joiner: Joiner): string {
  const { relayUrl, vaultId, vaultName, inviterName, role, inviterKey, expiresAt } = invitation;
  const fields = [relayUrl, vaultId, vaultName, inviterName, role, inviterKey, String(expiresAt)];
  if (invitation.service) fields.push('service');
  const digest = deriveSubkey(
    invitation.secret,
    'regvault/v1/invitation-fingerprint',
    ...fields,
    joiner.device,
    joiner.box,
  );
  return fingerprintDigits(digest);
}

/** The bytes a join request's signature covers. */
export function encodeJoinMessage(request: Omit<WireJoinRequest, 'sig'>): Uint8Array {
  const { invitation, device, box, nonce, sealed } = request;
  return encodeFields('regvault/v1/join', invitation, device, box, nonce, sealed);
}

/** The bytes a decline's signature covers. */
export function encodeDeclineMessage(invitation: string): Uint8Array {
  return encodeFields('regvault/v1/decline', invitation);
}

function sealKey(secret: Uint8Array): Uint8Array {
  return deriveSubkey(secret, 'regvault/v1/invitation-seal');
}

/** What the invitee's device sends to join: its keys and its name card, sealed and signed with the invitation key. */
export type JoinInput = Readonly<{ device: Uint8Array; box: Uint8Array; card: JoinCard }>;

/** Builds the join request the invitee posts to the relay's mailbox. */
export function sealJoinRequest(invitation: Invitation, input: JoinInput, random: RandomBytes): WireJoinRequest {
  const keys = invitationKeyPair(invitation.secret);
  const nonce = random(nacl.secretbox.nonceLength);
  // The device key is sealed with the card, so a card cannot be moved onto another device's request.
  const plain = encodeUtf8(JSON.stringify({ ...input.card, device: encodeBase64(input.device) }));
  const unsigned = {
    invitation: encodeBase64(keys.publicKey),
    device: encodeBase64(input.device),
    box: encodeBase64(input.box),
    nonce: encodeBase64(nonce),
    sealed: encodeBase64(nacl.secretbox(plain, nonce, sealKey(invitation.secret))),
  };
  const sig = nacl.sign.detached(encodeJoinMessage(unsigned), keys.secretKey);
  keys.secretKey.fill(0);
  return { ...unsigned, sig: encodeBase64(sig) };
}

/** Signs the invitee's refusal. */
export function signDecline(invitation: Invitation): WireDecline {
  const keys = invitationKeyPair(invitation.secret);
  const id = encodeBase64(keys.publicKey);
  const sig = nacl.sign.detached(encodeDeclineMessage(id), keys.secretKey);
  keys.secretKey.fill(0);
  return { invitation: id, sig: encodeBase64(sig) };
}

/** The admin's side: the invitee's name card if the request is signed with this invitation's key and opens; else null. */
export function openJoinRequest(invitation: Invitation, request: WireJoinRequest): JoinCard | null {
  const keys = invitationKeyPair(invitation.secret);
  if (request.invitation !== encodeBase64(keys.publicKey)) return null;
  if (!nacl.sign.detached.verify(encodeJoinMessage(request), decodeBase64(request.sig), keys.publicKey)) return null;
  const plain = nacl.secretbox.open(
    decodeBase64(request.sealed),
    decodeBase64(request.nonce),
    sealKey(invitation.secret),
  );
  const text = plain ? decodeUtf8(plain) : null;
  const json = parseJsonOrNull(text);
  const parsed = cardSchema.extend({ device: z.string() }).safeParse(json);
  if (!parsed.success || parsed.data.device !== request.device) return null;
  return { name: parsed.data.name, person: parsed.data.person };
}
