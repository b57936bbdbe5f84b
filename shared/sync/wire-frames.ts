// Schemas of the protocol's frames: JSON text frames, one object each, discriminated by `t`. Requests
// carry a client-chosen `id` that the relay echoes in its answer (`error` frames included).
import { z } from 'zod';
import { isErrorCode, type ErrorCode } from './codes';
import {
  envelopeSchema,
  fixedBase64Schema,
  grantSchema,
  memberRecordSchema,
  publicKeySchema,
  seqSchema,
  signatureSchema,
  snapshotSchema,
  vaultIdSchema,
} from './wire-records';
import {
  declineSchema,
  invitationItemSchema,
  joinRequestSchema,
  joinStatusSchema,
  keepSchema,
} from './invitation-wire';

const requestId = z.number().int().min(0).max(0x7fffffff);

/** Client → relay: proves possession of the device key by signing the relay's challenge and address. */
export const authFrameSchema = z.strictObject({
  t: z.literal('auth'),
  id: requestId,
  v: z.number().int(),
  device: publicKeySchema,
  /**
   * The relay address the device connected to and signed (canonical); the relay checks it is its own.
   * Required since v2; optional in the schema so an older client gets 1003 (update), not 1001.
   */
  relay: z.string().min(1).max(2048).optional(),
  sig: signatureSchema,
});
/** Client → relay: registers a vault with its genesis member record. */
export const registerFrameSchema = z.strictObject({
  t: z.literal('register'),
  id: requestId,
  record: memberRecordSchema,
});
/** Client → relay: appends a member record, optionally with the vault key sealed to the new member. */
export const authorizeFrameSchema = z.strictObject({
  t: z.literal('authorize'),
  id: requestId,
  record: memberRecordSchema,
  grant: grantSchema.optional(),
});
/**
 * Client → relay (an admin): removes devices and rotates the vault key in one step — the `remove` records,
 * then one `rotate` record; the new epoch's key sealed to remaining devices; optionally a snapshot under it.
 */
export const rotateFrameSchema = z.strictObject({
  t: z.literal('rotate'),
  id: requestId,
  records: z.array(memberRecordSchema).min(1).max(257),
  grants: z.array(grantSchema).max(5000),
  snap: snapshotSchema.optional(),
});
/**
 * Client → relay: streams a vault from sequence `from` (exclusive), then live. `members`: how many
 * member records the client already verified; the relay sends only the ones after them.
 */
export const subscribeFrameSchema = z.strictObject({
  t: z.literal('subscribe'),
  id: requestId,
  vault: vaultIdSchema,
  from: seqSchema,
  members: z.number().int().min(0).max(0x7fffffff).optional(),
});
/** Client → relay: stores and fans out one envelope. */
export const publishFrameSchema = z.strictObject({ t: z.literal('publish'), id: requestId, env: envelopeSchema });
/** Client → relay: uploads a snapshot; envelopes it covers may then be pruned. */
export const snapshotFrameSchema = z.strictObject({ t: z.literal('snapshot'), id: requestId, snap: snapshotSchema });
/** Client → relay: lists the key grants addressed to the authenticated device. */
export const grantsFrameSchema = z.strictObject({ t: z.literal('grants'), id: requestId });

/**
 * Client → relay (an admin): opens a mailbox for an invitation to `vault` until `expiresAt` (ms), with
 * `keep`, its own sealed copy of the invitation (a pending confirmation survives a lock).
 */
export const inviteFrameSchema = z.strictObject({
  t: z.literal('invite'),
  id: requestId,
  vault: vaultIdSchema,
  invitation: publicKeySchema,
  expiresAt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  keep: keepSchema,
});
/** Client → relay (the invitee): posts its join request, signed with the invitation's key. */
export const joinFrameSchema = z.strictObject({ t: z.literal('join'), id: requestId, request: joinRequestSchema });
/** Client → relay (the invitee): declines, signed with the invitation's key. */
export const declineFrameSchema = z.strictObject({ t: z.literal('decline'), id: requestId, decline: declineSchema });
/** Client → relay (an admin of `vault`): refuses the device that joined through an invitation. */
export const rejectFrameSchema = z.strictObject({
  t: z.literal('reject'),
  id: requestId,
  vault: vaultIdSchema,
  invitation: publicKeySchema,
});
/** Client → relay (the joiner): where its join request stands (waiting for Confirm, or rejected). */
export const joinStateFrameSchema = z.strictObject({
  t: z.literal('join-state'),
  id: requestId,
  invitation: publicKeySchema,
});
/** Client → relay (an admin): lists the vault's invitations and the join requests in them. */
export const invitationsFrameSchema = z.strictObject({
  t: z.literal('invitations'),
  id: requestId,
  vault: vaultIdSchema,
});

/** Any client → relay frame. */
export const clientFrameSchema = z.discriminatedUnion('t', [
  authFrameSchema,
  registerFrameSchema,
  authorizeFrameSchema,
  rotateFrameSchema,
  subscribeFrameSchema,
  publishFrameSchema,
  snapshotFrameSchema,
  grantsFrameSchema,
  inviteFrameSchema,
  joinFrameSchema,
  declineFrameSchema,
  invitationsFrameSchema,
  rejectFrameSchema,
  joinStateFrameSchema,
]);
/** A client → relay frame. */
export type ClientFrame = Readonly<z.infer<typeof clientFrameSchema>>;
/** An authenticated request frame (everything but `auth`). */
export type RequestFrame = Exclude<ClientFrame, { t: 'auth' }>;

/** Relay → client, first frame of every connection. */
export const helloFrameSchema = z.strictObject({
  t: z.literal('hello'),
  v: z.number().int(),
  challenge: fixedBase64Schema(32),
  maxFrameBytes: z.number().int().min(1),
});
/** Relay → client: the device proved its key. */
export const authedFrameSchema = z.strictObject({ t: z.literal('authed'), id: requestId });
/** Relay → client: a register / authorize / snapshot request succeeded. */
export const doneFrameSchema = z.strictObject({ t: z.literal('done'), id: requestId });
/** Relay → client: an envelope is durably stored under `seq` (`dup`: it already was). */
export const ackFrameSchema = z.strictObject({ t: z.literal('ack'), id: requestId, seq: seqSchema, dup: z.boolean() });
/** Relay → client: subscription accepted; `snap` (if newer than `from`) and envelopes up to `head` follow. */
export const subscribedFrameSchema = z.strictObject({
  t: z.literal('subscribed'),
  id: requestId,
  vault: vaultIdSchema,
  head: seqSchema,
  snapshotSeq: seqSchema,
  /** The member records from index `membersFrom` on (what the client did not say it holds). */
  members: z.array(memberRecordSchema),
  membersFrom: z.number().int().min(0),
  /** The length of the whole log, so a client holding more detects a rollback. */
  memberCount: z.number().int().min(0),
});
/** Relay → client: the latest snapshot, sent during catch-up when it is newer than the client's position. */
export const snapFrameSchema = z.strictObject({ t: z.literal('snap'), snap: snapshotSchema });
/** Relay → client: one stored envelope with its sequence number (catch-up or live). */
export const envFrameSchema = z.strictObject({ t: z.literal('env'), seq: seqSchema, env: envelopeSchema });
/** Relay → client: a member record was appended to a subscribed vault's log. */
export const memberFrameSchema = z.strictObject({ t: z.literal('member'), record: memberRecordSchema });
/** Relay → client: a snapshot covering `seq` was stored for a subscribed vault. */
export const snapshottedFrameSchema = z.strictObject({
  t: z.literal('snapshotted'),
  vault: vaultIdSchema,
  seq: seqSchema,
});
/** Relay → client: the key grants for this device, each with its vault's member log. */
export const grantListFrameSchema = z.strictObject({
  t: z.literal('grant-list'),
  id: requestId,
  items: z.array(z.strictObject({ grant: grantSchema, members: z.array(memberRecordSchema) })),
});
/** Relay → client: a vault's open invitations, with the join request or decline each received. */
export const invitationListFrameSchema = z.strictObject({
  t: z.literal('invitation-list'),
  id: requestId,
  items: z.array(invitationItemSchema),
});
/** Relay → client: where the asking device's join request stands. */
export const joinStatusFrameSchema = z.strictObject({
  t: z.literal('join-status'),
  id: requestId,
  state: joinStatusSchema,
});
/** Relay → client: a request (or an unparseable frame, `id: null`) failed with a numbered code. */
export const errorFrameSchema = z.strictObject({
  t: z.literal('error'),
  id: requestId.nullable(),
  code: z.number().int().refine(isErrorCode, 'unknown error code'),
  message: z.string().max(1000),
});

/** Any relay → client frame. */
export const relayFrameSchema = z.discriminatedUnion('t', [
  helloFrameSchema,
  authedFrameSchema,
  doneFrameSchema,
  ackFrameSchema,
  subscribedFrameSchema,
  snapFrameSchema,
  envFrameSchema,
  memberFrameSchema,
  snapshottedFrameSchema,
  grantListFrameSchema,
  errorFrameSchema,
  invitationListFrameSchema,
  joinStatusFrameSchema,
]);
/** A relay → client frame. */
export type RelayFrame = Readonly<z.infer<typeof relayFrameSchema>>;
/** An error frame, with its code typed. */
export type ErrorFrame = Readonly<{ t: 'error'; id: number | null; code: ErrorCode; message: string }>;

/**
 * The one encoder of relay → client frames: the relay builds every frame it sends as a typed `RelayFrame`
 * and encodes it here (a fan-out frame once, the same text for every subscriber).
 */
export function encodeRelayFrame(frame: RelayFrame): string {
  return JSON.stringify(frame);
}

/** The one encoder of client → relay frames (the typed request, the auth answer). */
export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}
