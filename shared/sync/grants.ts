// Key grants for linking a device. The new device shows a pairing code (its Ed25519 and X25519
// public keys and a one-time secret, shared/sync/pairing.ts); a device that is an admin of the vault
// authorizes the Ed25519 key in the member log and seals the vault key to the X25519 key (nacl.box
// from a one-time key), signing the grant and proving the pairing secret, so the relay stores
// something it can neither open nor forge, and the receiver can tell it was meant for it.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, equalBytes } from '../crypto/bytes';
import { encodeGrantKeyHeader, encodeGrantMessage, type GrantFields } from './canonical';
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
  recipient: DeviceIdentity;
  signer: DeviceSigner;
  random: RandomBytes;
  /** The secret of the recipient's pairing code: the grant then proves it was made from that code. */
  pairingSecret: Uint8Array;
}>;

/** Seals the vault key to a device's X25519 key, signs the grant and attaches the pairing proof. */
export async function sealKeyGrant(input: SealKeyGrantInput): Promise<WireGrant> {
  const ephemeral = nacl.box.keyPair.fromSecretKey(input.random(nacl.box.secretKeyLength));
  const nonce = input.random(nacl.box.nonceLength);
  const plain = concatBytes([
    encodeGrantKeyHeader(input.vault, input.vaultKey.epoch, input.recipient.signing),
    input.vaultKey.key,
  ]);
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
    pairing: provePairing(input.pairingSecret, fields),
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
  'other-vault' | 'other-recipient' | 'signer-not-admin' | 'bad-signature' | 'undecryptable' | 'bad-header'
>;

/** Verifies a grant (addressed to this device, signed by an admin of the verified member log) and opens the key. */
export async function openKeyGrant(input: OpenKeyGrantInput): Promise<Result<VaultKey, GrantRefusal>> {
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
  const header = encodeGrantKeyHeader(grant.vault, grant.epoch, grant.recipient);
  const key = plain.slice(header.length);
  const headerOk = equalBytes(plain.subarray(0, header.length), header) && key.length === nacl.secretbox.keyLength;
  plain.fill(0);
  if (!headerOk) return fail('bad-header', 'grant header does not match');
  return ok({ epoch: grant.epoch, key });
}
