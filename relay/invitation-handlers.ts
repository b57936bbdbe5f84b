// Requests around team invitations (docs/protocol.md §7b): an admin opens a mailbox for an invitation,
// lists what arrived and rejects a joiner; the invitee posts its join request or a decline, each signed
// with the key derived from the invitation's secret — a device without the secret cannot put anything
// there — and asks where its request stands.
import { decodeBase64 } from '../shared/crypto/bytes';
import { errorCodes } from '../shared/sync/codes';
import { encodeDeclineMessage, encodeJoinMessage } from '../shared/sync/invitation';
import type { WireDecline, WireJoinRequest } from '../shared/sync/invitation-wire';
import { roleOf } from '../shared/sync/members';
import type { RequestFrame } from '../shared/sync/wire-frames';
import type { Connection, RelayContext } from './context';
import {
  createInvitationMailbox,
  DEFAULT_MAILBOX_LIMITS,
  type InvitationMailbox,
  type MailboxLimits,
  type MailboxRefusal,
} from './invitation-mailbox';

// One mailbox per relay context, made on first use (the context's shape stays as it is); its slots live in the store.
const mailboxes = new WeakMap<RelayContext, InvitationMailbox>();

/** The context's mailbox: 50 open invitations per vault, and the relay's quota per inviting device. */
export function mailboxOf(ctx: RelayContext): InvitationMailbox {
  let mailbox = mailboxes.get(ctx);
  if (!mailbox) {
    const limits: MailboxLimits = { ...DEFAULT_MAILBOX_LIMITS, perInviter: ctx.quotas.invitationsPerDevice };
    mailbox = createInvitationMailbox(ctx.store, ctx.now, limits);
    mailboxes.set(ctx, mailbox);
  }
  return mailbox;
}

/** The invitation requests, one dispatch for all of them. */
export type InvitationFrame = Extract<
  RequestFrame,
  { t: 'invite' | 'join' | 'decline' | 'invitations' | 'reject' | 'join-state' }
>;

/** Answers one invitation request. */
export function handleInvitationRequest(ctx: RelayContext, conn: Connection, frame: InvitationFrame): Promise<void> {
  switch (frame.t) {
    case 'invite':
      return openInvitation(ctx, conn, frame);
    case 'join':
      return postJoin(ctx, conn, frame.id, frame.request);
    case 'decline':
      return postDecline(ctx, conn, frame.id, frame.decline);
    case 'invitations':
      return listInvitations(ctx, conn, frame.id, frame.vault);
    case 'reject':
      return rejectJoiner(ctx, conn, frame);
    case 'join-state':
      return answerJoinState(ctx, conn, frame.id, frame.invitation);
  }
}

// The role comes from the relay's verified member log of the vault (records another node appended
// are read first), so only a device that is an admin there may open, list or reject.
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
      return conn.sendError(
        id,
        errorCodes.invitationUsed,
        'this invitation was already used by another device, or declined or rejected',
      );
    case 'too-many':
      return conn.sendError(
        id,
        errorCodes.quotaExceeded,
        'this vault (or this device) holds as many open invitations as allowed',
      );
    case 'bad-expiry':
      return conn.sendError(id, errorCodes.malformedFrame, 'the invitation expires in the past or too far ahead');
  }
}

async function refuseUnlessAdmin(ctx: RelayContext, conn: Connection, id: number, vault: string, what: string) {
  const admin = await isAdmin(ctx, conn, vault);
  if (admin === 'unknown') conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  else if (!admin) conn.sendError(id, errorCodes.notAnAdmin, `only an admin may ${what}`);
  return admin !== true;
}

/** An admin opens a mailbox for an invitation to its vault. */
async function openInvitation(ctx: RelayContext, conn: Connection, frame: Extract<InvitationFrame, { t: 'invite' }>) {
  if (await refuseUnlessAdmin(ctx, conn, frame.id, frame.vault, 'invite')) return;
  const { vault, invitation, expiresAt, keep } = frame;
  const refused = await mailboxOf(ctx).open({ vault, invitation, expiresAt, keep, inviter: conn.deviceKey });
  if (refused) return sendRefusal(conn, frame.id, refused);
  conn.sendFrame({ t: 'done', id: frame.id });
}

/** The invitee posts its join request: for its own device key, signed with the invitation's key. */
async function postJoin(ctx: RelayContext, conn: Connection, id: number, request: WireJoinRequest) {
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
async function postDecline(ctx: RelayContext, conn: Connection, id: number, decline: WireDecline) {
  const mailbox = mailboxOf(ctx);
  if ((await mailbox.vaultOf(decline.invitation)) === undefined) return sendRefusal(conn, id, 'unknown');
  const message = encodeDeclineMessage(decline.invitation);
  if (!ctx.verify(decodeBase64(decline.sig), message, decodeBase64(decline.invitation)))
    return conn.sendError(id, errorCodes.badSignature, 'the decline is not signed with the invitation key');
  const refused = await mailbox.decline(decline.invitation);
  if (refused) return sendRefusal(conn, id, refused);
  conn.sendFrame({ t: 'done', id });
}

/** An admin rejects the device that joined through an invitation of its vault (or withdraws the invitation). */
async function rejectJoiner(ctx: RelayContext, conn: Connection, frame: Extract<InvitationFrame, { t: 'reject' }>) {
  if (await refuseUnlessAdmin(ctx, conn, frame.id, frame.vault, 'reject a joiner')) return;
  const refused = await mailboxOf(ctx).reject(frame.vault, frame.invitation);
  if (refused) return sendRefusal(conn, frame.id, refused);
  conn.sendFrame({ t: 'done', id: frame.id });
}

/** The joiner asks where its request stands; any other device learns nothing (2010). */
async function answerJoinState(ctx: RelayContext, conn: Connection, id: number, invitation: string) {
  const state = await mailboxOf(ctx).joinStatus(invitation, conn.deviceKey);
  if (state === undefined) return sendRefusal(conn, id, 'unknown');
  conn.sendFrame({ t: 'join-status', id, state });
}

/** An admin lists its vault's invitations (those completed — the joined device is a member — are dropped). */
async function listInvitations(ctx: RelayContext, conn: Connection, id: number, vaultId: string): Promise<void> {
  if (await refuseUnlessAdmin(ctx, conn, id, vaultId, 'list invitations')) return;
  const vault = await ctx.vaults.get(vaultId);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  const items = await mailboxOf(ctx).list(vaultId, (device) => vault.members.roles.has(device));
  conn.sendFrame({ t: 'invitation-list', id, items });
}
