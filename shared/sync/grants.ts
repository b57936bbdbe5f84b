// Key grants and device codes for linking a device. The new device shows a code (its Ed25519 and
// X25519 public keys); a device that is an admin of the vault authorizes the Ed25519 key in the
// member log and seals the vault key to the X25519 key (nacl.box from a one-time key), signing the
// grant, so the relay stores something it can neither open nor forge.
import nacl from 'tweetnacl';
import { concatBytes, decodeBase64, encodeBase64, equalBytes } from '../crypto/bytes';
import { encodeGrantKeyHeader, encodeGrantMessage, type GrantFields } from './canonical';
import type { VaultKey } from './envelope';
import { roleOf, type MemberState } from './members';
import type { BoxKeyPair, DeviceSigner, RandomBytes, VerifySignature } from './ports';
import type { WireGrant } from './wire-records';

/** The public keys a device shows to be linked: Ed25519 (signing) and X25519 (receiving keys). */
export type DeviceIdentity = Readonly<{ signing: Uint8Array; box: Uint8Array }>;

const codePrefix = 'rv1-';

function checksum(bytes: Uint8Array): Uint8Array {
  return nacl.hash(bytes).slice(0, 4);
}

/** Encodes a device identity as a copyable code: `rv1-` + base64url(keys ‖ 4-byte checksum). */
export function encodeDeviceCode(identity: DeviceIdentity): string {
  const body = concatBytes([identity.signing, identity.box]);
  const text = encodeBase64(concatBytes([body, checksum(body)]));
  return codePrefix + text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a device code; null when it is malformed or its checksum does not match (a typo). */
export function decodeDeviceCode(code: string): DeviceIdentity | null {
  const trimmed = code.trim();
  if (!trimmed.startsWith(codePrefix)) return null;
  const text = trimmed.slice(codePrefix.length).replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]{91}$/.test(text)) return null;
  const bytes = decodeBase64(text + '=');
  const body = bytes.subarray(0, 64);
  if (!equalBytes(checksum(body), bytes.subarray(64))) return null;
  return { signing: body.slice(0, 32), box: body.slice(32, 64) };
}

/** What `sealKeyGrant` needs. */
export type SealKeyGrantInput = Readonly<{
  vault: string;
  vaultKey: VaultKey;
  recipient: DeviceIdentity;
  signer: DeviceSigner;
  random: RandomBytes;
}>;

/** Seals the vault key to a device's X25519 key and signs the grant. */
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

/** Verifies a grant (addressed to this device, signed by an admin of the verified member log) and opens the key. */
export async function openKeyGrant(input: OpenKeyGrantInput): Promise<VaultKey | string> {
  const grant = decodeGrant(input.grant);
  if (grant.vault !== input.members.vault) return 'grant is for another vault';
  if (!equalBytes(grant.recipient, input.device) || !equalBytes(grant.recipientBox, input.boxKeys.publicKey)) {
    return 'grant is addressed to another device';
  }
  if (roleOf(input.members, grant.signer) !== 'admin') return 'grant signer is not an admin of the vault';
  if (!(await input.verify(grant.sig, encodeGrantMessage(grant), grant.signer))) return 'bad grant signature';
  const plain = nacl.box.open(grant.box, grant.nonce, grant.ephemeral, input.boxKeys.secretKey);
  if (!plain) return 'grant does not decrypt';
  const header = encodeGrantKeyHeader(grant.vault, grant.epoch, grant.recipient);
  const key = plain.slice(header.length);
  const headerOk = equalBytes(plain.subarray(0, header.length), header) && key.length === nacl.secretbox.keyLength;
  plain.fill(0);
  if (!headerOk) return 'grant header does not match';
  return { epoch: grant.epoch, key };
}
