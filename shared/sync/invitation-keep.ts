// The inviting admin's own copy of an invitation, kept in the relay's mailbox: the code (and whether
// the admin let a Viewer in without confirming) sealed to the admin device's own X25519 key with
// `nacl.box` from a one-time key. After a lock, the app lists its vault's mailboxes, opens the copies
// it sealed, and so finds again the joiners waiting for its Confirm; the relay reads nothing of it.
import nacl from 'tweetnacl';
import { z } from 'zod';
import { concatBytes, decodeBase64, decodeUtf8, encodeBase64, encodeUtf8 } from '../crypto/bytes';
import { decodeInvitationCode, encodeInvitationCode, invitationId, type Invitation } from './invitation';
import { parseJsonOrNull } from '../json-text';
import type { InvitationItem } from './invitation-wire';
import type { BoxKeyPair, RandomBytes } from './ports';

/** An invitation as its admin kept it: `autoConfirm` (Viewer only) admits the first joiner without asking. */
export type KeptInvitation = Readonly<{ invitation: Invitation; autoConfirm: boolean }>;

const keptSchema = z.strictObject({ code: z.string().min(1).max(4096), auto: z.boolean() });

/** Only a Viewer invitation may be confirmed automatically: a Viewer can read, never write or invite. */
export function mayConfirmAutomatically(invitation: Invitation): boolean {
  return invitation.role === 'reader';
}

/** Seals the invitation to this device's own box key (base64 of one-time key ‖ nonce ‖ box). */
export function sealKeptInvitation(kept: KeptInvitation, ownBoxKey: Uint8Array, random: RandomBytes): string {
  const auto = kept.autoConfirm && mayConfirmAutomatically(kept.invitation);
  const plain = encodeUtf8(JSON.stringify({ code: encodeInvitationCode(kept.invitation), auto }));
  const oneTime = nacl.box.keyPair.fromSecretKey(random(nacl.box.secretKeyLength));
  const nonce = random(nacl.box.nonceLength);
  const box = nacl.box(plain, nonce, ownBoxKey, oneTime.secretKey);
  oneTime.secretKey.fill(0);
  return encodeBase64(concatBytes([oneTime.publicKey, nonce, box]));
}

/**
 * Opens a listed invitation's copy with this device's box keys: null unless this device sealed it, it
 * is still valid at `now`, and it is the invitation of that mailbox and vault (a copy moved onto
 * another mailbox is refused).
 */
export function openKeptInvitation(item: InvitationItem, boxKeys: BoxKeyPair, now: number): KeptInvitation | null {
  const bytes = decodeBase64(item.keep);
  const head = nacl.box.publicKeyLength + nacl.box.nonceLength;
  if (bytes.length <= head) return null;
  const plain = nacl.box.open(
    bytes.subarray(head),
    bytes.subarray(nacl.box.publicKeyLength, head),
    bytes.subarray(0, nacl.box.publicKeyLength),
    boxKeys.secretKey,
  );
  const text = plain ? decodeUtf8(plain) : null;
  const json = parseJsonOrNull(text);
  const parsed = keptSchema.safeParse(json);
  if (!parsed.success) return null;
  const invitation = decodeInvitationCode(parsed.data.code, now);
  if (typeof invitation === 'string') return null;
  if (invitationId(invitation.secret) !== item.invitation || invitation.vaultId !== item.vault) return null;
  return { invitation, autoConfirm: parsed.data.auto && mayConfirmAutomatically(invitation) };
}
