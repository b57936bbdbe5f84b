// Key grants for linking a device. The new device shows a pairing code (its Ed25519 and X25519
// public keys and a one-time secret, shared/sync/pairing.ts); a device that is an admin of the vault
// authorizes the Ed25519 key in the member log and seals the vault key to the X25519 key (nacl.box
// from a one-time key), signing the grant and proving the pairing secret, so the relay stores
// something it can neither open nor forge, and the receiver can tell it was meant for it.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, encodeU32, equalBytes } from '../crypto/bytes';
import { encodeGrantMessage, encodeGrantRingHeader, type GrantFields } from './canonical';
import { matchesCommitment, type KeyRing } from './epochs';
import type { VaultKey } from './envelope';
import { roleOf, type MemberState } from './members';
import { provePairing } from './pairing';
import type { BoxKeyPair, DeviceSigner, RandomBytes, VerifySignature } from './ports';
import type { WireGrant } from './wire-records';
import { fail, ok, type Failure, type Result } from '../result';

/** The public keys a device shows to be linked: Ed25519 (signing) and X25519 (receiving keys). */
export type DeviceIdentity = Readonly<{ signing: Uint8Array; box: Uint8Array }>;

/** What `sealKeyGrant` needs. */
export type SealKeyGrantInput = Readonly<{
  vault: string;
  vaultKey: VaultKey;
  /** The older epochs' keys the recipient also gets (so it can read what was written under them). */
  ring?: KeyRing;
  recipient: DeviceIdentity;
  signer: DeviceSigner;
  random: RandomBytes;
  /** The secret of the recipient's pairing code: the grant then proves it was made from that code (not on rotation grants). */
  pairingSecret?: Uint8Array;
}>;

/** A grant's box: the v4 header, then the grant's own epoch key and every older one as `u32 epoch ‖ key`. */
function encodeRingPlaintext(input: SealKeyGrantInput): Uint8Array {
  const { vaultKey, ring } = input;
  const older = [...(ring ?? new Map<number, Uint8Array>())].filter(([epoch]) => epoch < vaultKey.epoch);
  const parts = [
    encodeGrantRingHeader(input.vault, vaultKey.epoch, input.recipient.signing),
    encodeU32(older.length + 1),
    encodeU32(vaultKey.epoch),
    vaultKey.key,
  ];
  for (const [epoch, key] of older) parts.push(encodeU32(epoch), key);
  return concatBytes(parts);
}

/** Seals the vault key to a device's X25519 key, signs the grant and attaches the pairing proof. */
export async function sealKeyGrant(input: SealKeyGrantInput): Promise<WireGrant> {
  const ephemeral = nacl.box.keyPair.fromSecretKey(input.random(nacl.box.secretKeyLength));
  const nonce = input.random(nacl.box.nonceLength);
  const plain = encodeRingPlaintext(input);
  const box = nacl.box(plain, nonce, input.recipient.box, ephemeral.secretKey);
  plain.fill(0);
  ephemeral.secretKey.fill(0);
  const fields: GrantFields = {
    vault: input.vault,
    epoch: input.vaultKey.epoch,
    recipient: input.recipient.signing,
    recipientBox: input.recipient.box,
    ephemeral: ephemeral.publicKey,
    nonce,
    box,
    signer: input.signer.publicKey,
  };
  const sig = await input.signer.sign(encodeGrantMessage(fields));
  return {
    vault: fields.vault,
    epoch: fields.epoch,
    recipient: encodeBase64(fields.recipient),
    recipientBox: encodeBase64(fields.recipientBox),
    ephemeral: encodeBase64(fields.ephemeral),
    nonce: encodeBase64(fields.nonce),
    box: encodeBase64(fields.box),
    signer: encodeBase64(fields.signer),
    sig: encodeBase64(sig),
    ...(input.pairingSecret ? { pairing: provePairing(input.pairingSecret, fields) } : {}),
  };
}

/** Decodes the binary fields of a wire grant. */
export function decodeGrant(wire: WireGrant): GrantFields & Readonly<{ sig: Uint8Array }> {
  return {
    vault: wire.vault,
    epoch: wire.epoch,
    recipient: decodeBase64(wire.recipient),
    recipientBox: decodeBase64(wire.recipientBox),
    ephemeral: decodeBase64(wire.ephemeral),
    nonce: decodeBase64(wire.nonce),
    box: decodeBase64(wire.box),
    signer: decodeBase64(wire.signer),
    sig: decodeBase64(wire.sig),
  };
}

/** What `openKeyGrant` checks the grant against. */
export type OpenKeyGrantInput = Readonly<{
  grant: WireGrant;
  members: MemberState;
  device: Uint8Array;
  boxKeys: BoxKeyPair;
  verify: VerifySignature;
}>;

/** Why a key grant was refused. */
export type GrantRefusal = Failure<
  | 'other-vault'
  | 'other-recipient'
  | 'signer-not-admin'
  | 'bad-signature'
  | 'undecryptable'
  | 'bad-header'
  | 'wrong-key'
>;

/** An opened grant: the key of its epoch and the whole ring it carries (that key included). */
export type OpenedGrant = VaultKey & Readonly<{ ring: KeyRing }>;

/**
 * Verifies a grant (addressed to this device, signed by an admin of the verified member log) and opens its
 * keys; every key of an epoch the log rotated to must be the one its `rotate` record committed to.
 */
export async function openKeyGrant(input: OpenKeyGrantInput): Promise<Result<OpenedGrant, GrantRefusal>> {
  const grant = decodeGrant(input.grant);
  if (grant.vault !== input.members.vault) return fail('other-vault', 'grant is for another vault');
  if (!equalBytes(grant.recipient, input.device) || !equalBytes(grant.recipientBox, input.boxKeys.publicKey)) {
    return fail('other-recipient', 'grant is addressed to another device');
  }
  if (roleOf(input.members, grant.signer) !== 'admin') {
    return fail('signer-not-admin', 'grant signer is not an admin of the vault');
  }
  if (!(await input.verify(grant.sig, encodeGrantMessage(grant), grant.signer))) {
    return fail('bad-signature', 'bad grant signature');
  }
  const plain = nacl.box.open(grant.box, grant.nonce, grant.ephemeral, input.boxKeys.secretKey);
  if (!plain) return fail('undecryptable', 'grant does not decrypt');
  const ring = readGrantPlaintext(plain, grant);
  plain.fill(0);
  if (!ring) return fail('bad-header', 'grant header does not match');
  for (const [epoch, key] of ring) {
    if (!matchesCommitment(input.members, epoch, key))
      return fail('wrong-key', `the grant's key for epoch ${epoch} is not the one the member log committed to`);
  }
  const key = ring.get(grant.epoch);
  return key ? ok({ epoch: grant.epoch, key, ring }) : fail('bad-header', 'grant holds no key of its epoch');
}

/** The key ring in a grant's box (the only layout; a single-key box of protocol v1 is refused). Null when the header does not match. */
function readGrantPlaintext(plain: Uint8Array, grant: GrantFields): Map<number, Uint8Array> | null {
  const keyLength = nacl.secretbox.keyLength;
  const header = encodeGrantRingHeader(grant.vault, grant.epoch, grant.recipient);
  if (plain.length < header.length + 4 || !equalBytes(plain.subarray(0, header.length), header)) return null;
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const count = view.getUint32(header.length);
  if (plain.length !== header.length + 4 + count * (4 + keyLength)) return null;
  const ring = new Map<number, Uint8Array>();
  for (let i = 0, at = header.length + 4; i < count; i += 1, at += 4 + keyLength) {
    ring.set(view.getUint32(at), plain.slice(at + 4, at + 4 + keyLength));
  }
  return ring.size === count ? ring : null;
}
