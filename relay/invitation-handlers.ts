// Requests around team invitations (docs/protocol.md §7b): an admin opens a mailbox for an invitation
// and lists what arrived; the invitee posts its join request or a decline, each signed with the key
// derived from the invitation's secret — a device without the secret cannot put anything there.
import { decodeBase64 } from '../shared/crypto/bytes';
import { errorCodes } from '../shared/sync/codes';
import { encodeDeclineMessage, encodeJoinMessage } from '../shared/sync/invitation';
import type { WireDecline, WireJoinRequest } from '../shared/sync/invitation-wire';
import { roleOf } from '../shared/sync/members';
import type { Connection, RelayContext } from './context';
import { createInvitationMailbox, type InvitationMailbox, type MailboxRefusal } from './invitation-mailbox';

// One mailbox per relay context, made on first use (the context's shape stays as it is); its slots live in the store.
const mailboxes = new WeakMap<RelayContext, InvitationMailbox>();

/** The context's mailbox. */
export function mailboxOf(ctx: RelayContext): InvitationMailbox {
  let mailbox = mailboxes.get(ctx);
  if (!mailbox) {
    mailbox = createInvitationMailbox(ctx.store, ctx.now);
    mailboxes.set(ctx, mailbox);
  }
  return mailbox;
}

async function isAdmin(ctx: RelayContext, conn: Connection, vaultId: string): Promise<boolean | 'unknown'> {
  const vault = await ctx.vaults.get(vaultId);
  if (!vault) return 'unknown';
  return roleOf(vault.members, conn.device) === 'admin';
}

function sendRefusal(conn: Connection, id: number, refusal: MailboxRefusal): void {
  switch (refusal) {
    case 'unknown':
      return conn.sendError(id, errorCodes.unknownInvitation, 'no such invitation here, or it expired');
    case 'used':
      return conn.sendError(id, errorCodes.invitationUsed, 'this invitation was already used or declined');
    case 'too-many':
      return conn.sendError(id, errorCodes.quotaExceeded, 'this vault holds as many open invitations as allowed');
    case 'bad-expiry':
      return conn.sendError(id, errorCodes.malformedFrame, 'the invitation expires in the past or too far ahead');
  }
}

/** An admin opens a mailbox for an invitation to its vault. */
export async function openInvitation(
  ctx: RelayContext,
  conn: Connection,
  frame: Readonly<{ id: number; vault: string; invitation: string; expiresAt: number }>,
): Promise<void> {
  const admin = await isAdmin(ctx, conn, frame.vault);
  if (admin === 'unknown') return conn.sendError(frame.id, errorCodes.unknownVault, 'unknown vault');
  if (!admin) return conn.sendError(frame.id, errorCodes.notAnAdmin, 'only an admin may invite');
  const refused = await mailboxOf(ctx).open(frame.vault, frame.invitation, frame.expiresAt);
  if (refused) return sendRefusal(conn, frame.id, refused);
  conn.sendFrame({ t: 'done', id: frame.id });
}

/** The invitee posts its join request: for its own device key, signed with the invitation's key. */
export async function postJoin(ctx: RelayContext, conn: Connection, id: number, request: WireJoinRequest) {
  if (request.device !== conn.deviceKey)
    return conn.sendError(id, errorCodes.authorMismatch, 'a join request is for the device that sends it');
  const mailbox = mailboxOf(ctx);
  if ((await mailbox.vaultOf(request.invitation)) === undefined) return sendRefusal(conn, id, 'unknown');
  if (!ctx.verify(decodeBase64(request.sig), encodeJoinMessage(request), decodeBase64(request.invitation)))
    return conn.sendError(id, errorCodes.badSignature, 'the join request is not signed with the invitation key');
  const refused = await mailbox.join(request);
  if (refused) return sendRefusal(conn, id, refused);
  conn.sendFrame({ t: 'done', id });
}

/** The invitee declines, signed with the invitation's key. */
export async function postDecline(ctx: RelayContext, conn: Connection, id: number, decline: WireDecline) {
  const mailbox = mailboxOf(ctx);
  if ((await mailbox.vaultOf(decline.invitation)) === undefined) return sendRefusal(conn, id, 'unknown');
  const message = encodeDeclineMessage(decline.invitation);
  if (!ctx.verify(decodeBase64(decline.sig), message, decodeBase64(decline.invitation)))
    return conn.sendError(id, errorCodes.badSignature, 'the decline is not signed with the invitation key');
  const refused = await mailbox.decline(decline.invitation);
  if (refused) return sendRefusal(conn, id, refused);
  conn.sendFrame({ t: 'done', id });
}

/** An admin lists its vault's invitations (those completed — the joined device is a member — are dropped). */
export async function listInvitations(ctx: RelayContext, conn: Connection, id: number, vaultId: string): Promise<void> {
  const vault = await ctx.vaults.get(vaultId);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  if (roleOf(vault.members, conn.device) !== 'admin')
    return conn.sendError(id, errorCodes.notAnAdmin, 'only an admin may list invitations');
  const items = await mailboxOf(ctx).list(vaultId, (device) => vault.members.roles.has(device));
  conn.sendFrame({ t: 'invitation-list', id, items });
}
