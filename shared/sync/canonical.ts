// The exact bytes that are signed, hashed or bound into sealed plaintext. Every message starts with a
// NUL-terminated domain string, so a signature made for one purpose never verifies for another, and
// every variable-length field is length-prefixed, so fields cannot be re-split.
import nacl from 'tweetnacl';
import { concatBytes, encodeU32, encodeU64, encodeUtf8, lengthPrefixed } from '../crypto/bytes';
import type { Role } from './wire-records';

/**
 * Domain strings (each signed or sealed message starts with one and a NUL byte). `auth` is v2: since
 * protocol v2 the device signs the relay's address too. `envelope` is v5: an envelope of an older
 * protocol never verifies as one of v5 (no older format is accepted, docs/protocol.md §3).
 */
export const domains = {
  auth: 'regvault/v2/auth',
  envelope: 'regvault/v5/envelope',
  snapshot: 'regvault/v1/snapshot',
  member: 'regvault/v1/member',
  memberHash: 'regvault/v1/member-hash',
  grant: 'regvault/v1/grant',
  /** A grant's box holds the key of its epoch and every older one (a key ring). */
  grantRing: 'regvault/v4/grant-ring',
  epochKey: 'regvault/v4/epoch-key',
} as const;

const domainBytes = new Map<string, Uint8Array>();
function domain(name: string): Uint8Array {
  let bytes = domainBytes.get(name);
  if (!bytes) {
    bytes = concatBytes([encodeUtf8(name), Uint8Array.of(0)]);
    domainBytes.set(name, bytes);
  }
  return bytes;
}

/** The fields of an envelope or snapshot header (what is bound into both the signature and the plaintext). */
export type SealHeader = Readonly<{ vault: string; epoch: number; author: Uint8Array; position: number }>;

/** An envelope's header: it names the member-log position it was written under. */
export type EnvelopeHeader = SealHeader & Readonly<{ members: number }>;

/**
 * Bytes a device signs to answer the relay's challenge: bound to the relay address it connected to
 * (canonical, see relay-url.ts), so a relay cannot pass another relay's challenge off as its own.
 */
export function encodeAuthMessage(challenge: Uint8Array, device: Uint8Array, relayUrl: string): Uint8Array {
  return concatBytes([domain(domains.auth), challenge, device, lengthPrefixed(encodeUtf8(relayUrl))]);
}

/** Header of an envelope: vault id, epoch, author key, per-author counter and member-log position. */
export function encodeEnvelopeHeader(header: EnvelopeHeader): Uint8Array {
  return concatBytes([encodeHeader(domains.envelope, header), encodeU32(header.members)]);
}

/** Header of a snapshot: vault id, epoch, author key, sequence it covers. */
export function encodeSnapshotHeader(header: SealHeader): Uint8Array {
  return encodeHeader(domains.snapshot, header);
}

function encodeHeader(name: string, header: SealHeader): Uint8Array {
  return concatBytes([
    domain(name),
    lengthPrefixed(encodeUtf8(header.vault)),
    encodeU32(header.epoch),
    header.author,
    encodeU64(header.position),
  ]);
}

/** Bytes signed for an envelope or snapshot: its header, nonce and ciphertext. */
export function encodeSealedMessage(header: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return concatBytes([header, nonce, lengthPrefixed(ciphertext)]);
}

/** The fields of a member record that its signature covers. */
export type MemberFields = Readonly<{
  vault: string;
  index: number;
  prev: Uint8Array;
  action: 'add' | 'remove' | 'rotate';
  /** The member added, changed or removed; on a `rotate` record, the commitment to the new epoch key. */
  subject: Uint8Array;
  role: Role;
  signer: Uint8Array;
  /** On a record that takes write access away: the subject's last counter, frozen from then on. */
  last?: number | undefined;
  /**
   * On a `rotate` record (required there, absent elsewhere): the counter of every key that may still write
   * under the old epoch (writers and frozen former writers), in ascending byte order of the key. An envelope
   * naming a position before the rotation is valid only up to its author's counter here.
   */
  counters?: readonly RotationCounter[] | undefined;
}>;

/** One key's counter as a `rotate` record fixes it. */
export type RotationCounter = Readonly<{ device: Uint8Array; counter: number }>;

const roleByte: Readonly<Record<Role, number>> = { admin: 1, writer: 2, reader: 3, manager: 4 };
const actionByte: Readonly<Record<MemberFields['action'], number>> = { add: 1, remove: 2, rotate: 3 };

/** Bytes signed for a member record. */
export function encodeMemberMessage(fields: MemberFields): Uint8Array {
  return concatBytes([
    domain(domains.member),
    lengthPrefixed(encodeUtf8(fields.vault)),
    encodeU32(fields.index),
    fields.prev,
    Uint8Array.of(actionByte[fields.action]),
    fields.subject,
    Uint8Array.of(roleByte[fields.role]),
    fields.signer,
    // Only records that revoke write access carry it; every other record keeps its original bytes.
    ...(fields.last === undefined ? [] : [encodeU64(fields.last)]),
    // Only `rotate` records carry the counters: a count, then each key ‖ its counter (u64).
    ...(fields.counters === undefined
      ? []
      : [encodeU32(fields.counters.length), ...fields.counters.flatMap((c) => [c.device, encodeU64(c.counter)])]),
  ]);
}

/** Hash linking a member record to the next one: SHA-512 of the signed bytes and signature, cut to 32 bytes. */
export function hashMemberRecord(fields: MemberFields, sig: Uint8Array): Uint8Array {
  return nacl.hash(concatBytes([domain(domains.memberHash), encodeMemberMessage(fields), sig])).slice(0, 32);
}

/** The fields of a key grant that its signature covers. */
export type GrantFields = Readonly<{
  vault: string;
  epoch: number;
  recipient: Uint8Array;
  recipientBox: Uint8Array;
  ephemeral: Uint8Array;
  nonce: Uint8Array;
  box: Uint8Array;
  signer: Uint8Array;
}>;

/** Bytes signed for a key grant. */
export function encodeGrantMessage(fields: GrantFields): Uint8Array {
  return concatBytes([
    domain(domains.grant),
    lengthPrefixed(encodeUtf8(fields.vault)),
    encodeU32(fields.epoch),
    fields.recipient,
    fields.recipientBox,
    fields.ephemeral,
    fields.nonce,
    lengthPrefixed(fields.box),
    fields.signer,
  ]);
}

/** Header sealed in a grant's box in front of its key ring, binding it to vault, epoch and recipient. */
export function encodeGrantRingHeader(vault: string, epoch: number, recipient: Uint8Array): Uint8Array {
  return concatBytes([domain(domains.grantRing), lengthPrefixed(encodeUtf8(vault)), encodeU32(epoch), recipient]);
}

/** What a `rotate` member record commits to: SHA-512 over vault, epoch and the new key, cut to 32 bytes. */
export function encodeEpochKeyCommitment(vault: string, epoch: number, key: Uint8Array): Uint8Array {
  return nacl
    .hash(concatBytes([domain(domains.epochKey), lengthPrefixed(encodeUtf8(vault)), encodeU32(epoch), key]))
    .slice(0, 32);
}
