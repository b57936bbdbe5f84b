// Schemas of the team-invitation records the relay keeps in its mailbox (docs/protocol.md §7b). The
// mailbox is keyed by the invitation's public id: an Ed25519 key derived from the one-time secret, so
// only someone holding the secret can sign a join request or a decline the relay accepts.
import { z } from 'zod';
import { base64Schema, nonceSchema, publicKeySchema, signatureSchema, vaultIdSchema } from './wire-records';

/** Most bytes of a join request's sealed part (name and person id of the invitee). */
export const MAX_JOIN_SEALED_BASE64 = 1400;

/** Most bytes of the inviter's sealed copy of its invitation (the code, sealed to its own box key). */
export const MAX_KEEP_BASE64 = 8192;

/** An invitee's request to join: its public keys and its name (sealed with a key from the secret), signed by the invitation key. */
export const joinRequestSchema = z.strictObject({
  invitation: publicKeySchema,
  device: publicKeySchema,
  box: publicKeySchema,
  nonce: nonceSchema,
  sealed: base64Schema.refine((text) => text.length <= MAX_JOIN_SEALED_BASE64, 'sealed part too large'),
  sig: signatureSchema,
});
/** Wire form of a join request. */
export type WireJoinRequest = Readonly<z.infer<typeof joinRequestSchema>>;

/** An invitee's refusal, signed by the invitation key. */
export const declineSchema = z.strictObject({ invitation: publicKeySchema, sig: signatureSchema });
/** Wire form of a decline. */
export type WireDecline = Readonly<z.infer<typeof declineSchema>>;

/** The inviter's sealed copy of its invitation: kept in the mailbox so a pending confirmation survives a lock. */
export const keepSchema = base64Schema.refine((text) => text.length <= MAX_KEEP_BASE64, 'sealed invitation too large');

/**
 * Where an invitation stands in the relay's mailbox: `joined` waits for the admin's Confirm (the join
 * request is there), `rejected` the admin refused the joiner, `declined` the invitee said no.
 */
export const invitationStateSchema = z.enum(['open', 'joined', 'declined', 'rejected']);
/** Where an invitation stands. */
export type InvitationState = z.infer<typeof invitationStateSchema>;

/** One invitation as the relay lists it to the vault's admins. */
export const invitationItemSchema = z.strictObject({
  invitation: publicKeySchema,
  vault: vaultIdSchema,
  expiresAt: z.number().int().min(0),
  state: invitationStateSchema,
  request: joinRequestSchema.optional(),
  /** The admin device that opened the mailbox (only it holds the secret to confirm). */
  inviter: publicKeySchema,
  /** The inviter's sealed copy of the invitation. */
  keep: keepSchema,
  /** How many other devices tried to join with the same code after the first one: someone else has it. */
  contested: z.number().int().min(0),
});
/** One listed invitation. */
export type InvitationItem = Readonly<z.infer<typeof invitationItemSchema>>;

/** Where a join stands as the relay tells the device that asked: waiting for Confirm, or rejected. */
export const joinStatusSchema = z.enum(['waiting', 'rejected']);
/** Where a join stands for its joiner. */
export type JoinStatus = z.infer<typeof joinStatusSchema>;
