// The relay's mailbox of team invitations: an admin opens one per invitation (keyed by its public id),
// with its own sealed copy of the invitation; the invitee's device posts one join request (or a
// decline) into it; the vault's admins list them and the admin confirms the joiner (by adding it to the
// member log) or rejects it. A code is good for one device: another device's request is refused and
// counted (`contested`), so the admin learns that someone else has the code. It is bounded — open
// invitations per vault and per inviting device, how far ahead one may expire, one joiner per
// invitation — and forgets expired ones. The slots live in the relay's database (InvitationStore): a
// restart keeps them, and with several relay nodes the admin and the invitee may use different ones.
import type { InvitationItem, JoinStatus, WireJoinRequest } from '../shared/sync/invitation-wire';
import type { InvitationLimits, InvitationSlot, InvitationStore } from './store';

/** The mailbox's bounds. */
export type MailboxLimits = InvitationLimits & Readonly<{ maxTtlMs: number }>;

/** Defaults: 50 open invitations per vault, 200 per inviting device, each valid at most 7 days. */
export const DEFAULT_MAILBOX_LIMITS: MailboxLimits = { perVault: 50, perInviter: 200, maxTtlMs: 7 * 24 * 60 * 60_000 };

/** Why the mailbox refused. */
export type MailboxRefusal =
  | 'unknown' // no such invitation, or expired
  | 'used' // already holds another device's request, or was declined or rejected
  | 'too-many' // the vault (or the inviting device) holds as many open invitations as allowed
  | 'bad-expiry'; // already expired, or further ahead than allowed

/** What an admin opens: the invitation's id, vault, expiry, its device and its sealed copy. */
export type MailboxOpening = Readonly<{
  vault: string;
  invitation: string;
  expiresAt: number;
  inviter: string;
  keep: string;
}>;

/**
 * A join request into a slot. The device that joined may post again (a new request after a lock); a
 * request of another device is refused and counted, so the admin is told the code was used twice.
 */
function joinSlot(slot: InvitationSlot | undefined, request: WireJoinRequest) {
  if (!slot) return { result: 'unknown' as const };
  const sameDevice = slot.request?.device === request.device;
  const closed = slot.state === 'declined' || slot.state === 'rejected';
  if (closed && sameDevice) return { result: 'used' as const };
  if (closed || (slot.request && !sameDevice))
    return { next: { ...slot, contested: slot.contested + 1 }, result: 'used' as const };
  return { next: { ...slot, state: 'joined' as const, request }, result: null };
}

/** A decline (before anyone joined through it; after that it comes from another holder of the code). */
function declineSlot(slot: InvitationSlot | undefined) {
  if (!slot) return { result: 'unknown' as const };
  if (slot.state === 'joined') return { next: { ...slot, contested: slot.contested + 1 }, result: 'used' as const };
  if (slot.state !== 'open') return { result: 'used' as const };
  return { next: { ...slot, state: 'declined' as const }, result: null };
}

/** An admin's refusal of the joiner (or withdrawal of an invitation nobody used): the code stops working. */
function rejectSlot(slot: InvitationSlot | undefined, vault: string) {
  if (!slot || slot.vault !== vault) return { result: 'unknown' as const };
  return { next: { ...slot, state: 'rejected' as const }, result: null };
}

function itemOf({ invitation, vault, expiresAt, state, request, inviter, keep, contested }: InvitationSlot) {
  const item: InvitationItem = { invitation, vault, expiresAt, state, inviter, keep, contested };
  return request ? { ...item, request } : item;
}

/** Creates the mailbox over the store's invitation slots, with the clock `now`. */
export function createInvitationMailbox(
  store: InvitationStore,
  now: () => number,
  limits: MailboxLimits = DEFAULT_MAILBOX_LIMITS,
) {
  return {
    /** Opens a mailbox for an invitation (the same id again for the same vault changes nothing). */
    open: async (opening: MailboxOpening): Promise<MailboxRefusal | null> => {
      const at = now();
      if (opening.expiresAt <= at || opening.expiresAt > at + limits.maxTtlMs) return 'bad-expiry';
      const slot = { ...opening, state: 'open' as const, request: null, contested: 0 };
      const held = await store.openInvitation(slot, at, limits);
      if (held === null || held === 'too-many') return held;
      return held.vault === opening.vault ? null : 'used';
    },
    /** Stores a join request (one device per invitation; another one is refused and counted). */
    join: (request: WireJoinRequest): Promise<MailboxRefusal | null> =>
      store.changeInvitation(request.invitation, now(), (slot) => joinSlot(slot, request)),
    /** Marks an invitation declined. */
    decline: (invitation: string): Promise<MailboxRefusal | null> =>
      store.changeInvitation(invitation, now(), declineSlot),
    /** Marks an invitation of `vault` rejected by its admin. */
    reject: (vault: string, invitation: string): Promise<MailboxRefusal | null> =>
      store.changeInvitation(invitation, now(), (slot) => rejectSlot(slot, vault)),
    /** Where the join request of `device` stands; undefined when it holds none of that device. */
    joinStatus: async (invitation: string, device: string): Promise<JoinStatus | undefined> => {
      const slot = await store.invitationById(invitation, now());
      if (slot?.request?.device !== device) return undefined;
      if (slot.state === 'rejected') return 'rejected';
      return slot.state === 'joined' ? 'waiting' : undefined;
    },
    /** The vault of a live invitation, if any. */
    vaultOf: async (invitation: string): Promise<string | undefined> =>
      (await store.invitationById(invitation, now()))?.vault,
    /** The vault's live invitations; those whose joined device was already added (done) are dropped. */
    list: async (vault: string, isMember: (device: string) => boolean): Promise<InvitationItem[]> => {
      const slots = await store.invitationsOf(vault, now());
      const done = slots.filter((slot) => slot.state === 'joined' && slot.request && isMember(slot.request.device));
      if (done.length > 0) await store.dropInvitations(done.map((slot) => slot.invitation));
      return slots.filter((slot) => !done.includes(slot)).map(itemOf);
    },
  };
}

/** The invitation mailbox. */
export type InvitationMailbox = ReturnType<typeof createInvitationMailbox>;
