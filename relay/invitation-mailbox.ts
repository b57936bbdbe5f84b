// The relay's mailbox of team invitations: an admin opens one per invitation (keyed by its public id),
// the invitee's device posts one join request (or a decline) into it, the vault's admins list them.
// It is bounded — open invitations per vault, how far ahead one may expire, one request per
// invitation — and forgets expired ones. The slots live in the relay's database (InvitationStore):
// a restart keeps them, and with several relay nodes the admin and the invitee may use different ones.
import type { InvitationItem, WireJoinRequest } from '../shared/sync/invitation-wire';
import type { InvitationSlot, InvitationStore } from './store';

/** The mailbox's bounds. */
export type MailboxLimits = Readonly<{ perVault: number; maxTtlMs: number; total: number }>;

/** Defaults: 50 open invitations per vault, valid at most 7 days, 100,000 in all. */
export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = { perVault: 50, maxTtlMs: 7 * 24 * 60 * 60_000, total: 100_000 };

/** Why the mailbox refused. */
export type MailboxRefusal =
  | 'unknown' // no such invitation, or expired
  | 'used' // already holds another device's request, or was declined
  | 'too-many' // the vault (or the relay) holds as many open invitations as allowed
  | 'bad-expiry'; // already expired, or further ahead than allowed

/** A join request into a slot: the same request again is accepted once more, another one is refused. */
function joinSlot(slot: InvitationSlot | undefined, request: WireJoinRequest) {
  if (!slot) return { result: 'unknown' as const };
  if (slot.state === 'declined') return { result: 'used' as const };
  if (slot.request) return { result: slot.request.sig === request.sig ? null : ('used' as const) };
  return { next: { ...slot, state: 'joined' as const, request }, result: null };
}

/** A decline (before anyone joined through it). */
function declineSlot(slot: InvitationSlot | undefined) {
  if (!slot) return { result: 'unknown' as const };
  if (slot.state === 'joined') return { result: 'used' as const };
  return { next: { ...slot, state: 'declined' as const }, result: null };
}

function itemOf({ invitation, vault, expiresAt, state, request }: InvitationSlot): InvitationItem {
  return { invitation, vault, expiresAt, state, ...(request ? { request } : {}) };
}

/** Creates the mailbox over the store's invitation slots, with the clock `now`. */
export function createInvitationMailbox(
  store: InvitationStore,
  now: () => number,
  limits: MailboxLimits = DEFAULT_MAILBOX_LIMITS,
) {
  return {
    /** Opens a mailbox for an invitation to `vault` (the same id again for the same vault changes nothing). */
    open: async (vault: string, invitation: string, expiresAt: number): Promise<MailboxRefusal | null> => {
      const at = now();
      if (expiresAt <= at || expiresAt > at + limits.maxTtlMs) return 'bad-expiry';
      const held = await store.openInvitation(
        { invitation, vault, expiresAt, state: 'open', request: null },
        at,
        limits,
      );
      if (held === null || held === 'too-many') return held;
      return held.vault === vault ? null : 'used';
    },
    /** Stores a join request (one device per invitation). */
    join: (request: WireJoinRequest): Promise<MailboxRefusal | null> =>
      store.changeInvitation(request.invitation, now(), (slot) => joinSlot(slot, request)),
    /** Marks an invitation declined. */
    decline: (invitation: string): Promise<MailboxRefusal | null> =>
      store.changeInvitation(invitation, now(), declineSlot),
    /** The vault of a live invitation, if any. */
    vaultOf: async (invitation: string): Promise<string | undefined> =>
      (await store.invitationById(invitation, now()))?.vault,
    /** The vault's live invitations; those whose joined device was already added (done) are dropped. */
    list: async (vault: string, isMember: (device: string) => boolean): Promise<InvitationItem[]> => {
      const slots = await store.invitationsOf(vault, now());
      const done = slots.filter((slot) => slot.request && isMember(slot.request.device));
      if (done.length > 0) await store.dropInvitations(done.map((slot) => slot.invitation));
      return slots.filter((slot) => !done.includes(slot)).map(itemOf);
    },
  };
}

/** The invitation mailbox. */
export type InvitationMailbox = ReturnType<typeof createInvitationMailbox>;
