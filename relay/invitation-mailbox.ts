// The relay's mailbox of team invitations, in memory: an admin opens one per invitation (keyed by its
// public id), the invitee's device posts one join request (or a decline) into it, the vault's admins
// list them. It is bounded — open invitations per vault, how far ahead one may expire, one request per
// invitation — and forgets expired ones. A relay restart empties it: pending invitations are made again.
import type { InvitationItem, WireJoinRequest } from '../shared/sync/invitation-wire';

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

type Slot = { vault: string; expiresAt: number; state: InvitationItem['state']; request?: WireJoinRequest };

/** Invitations by public id, bounded and expiring. */
export class InvitationMailbox {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly now: () => number,
    private readonly limits: MailboxLimits = DEFAULT_MAILBOX_LIMITS,
  ) {}

  /** Opens a mailbox for an invitation to `vault` (the same id again only refreshes nothing: it stays as it is). */
  open(vault: string, invitation: string, expiresAt: number): MailboxRefusal | null {
    this.sweep();
    const now = this.now();
    if (expiresAt <= now || expiresAt > now + this.limits.maxTtlMs) return 'bad-expiry';
    const held = this.slots.get(invitation);
    if (held) return held.vault === vault ? null : 'used';
    if (this.slots.size >= this.limits.total || this.countFor(vault) >= this.limits.perVault) return 'too-many';
    this.slots.set(invitation, { vault, expiresAt, state: 'open' });
    return null;
  }

  /** Stores a join request (the same request again is accepted once more, another one is refused). */
  join(request: WireJoinRequest): MailboxRefusal | null {
    const slot = this.live(request.invitation);
    if (!slot) return 'unknown';
    if (slot.state === 'declined') return 'used';
    if (slot.request) return slot.request.sig === request.sig ? null : 'used';
    slot.state = 'joined';
    slot.request = request;
    return null;
  }

  /** Marks an invitation declined (before anyone joined through it). */
  decline(invitation: string): MailboxRefusal | null {
    const slot = this.live(invitation);
    if (!slot) return 'unknown';
    if (slot.state === 'joined') return 'used';
    slot.state = 'declined';
    return null;
  }

  /** The vault of a live invitation, if any. */
  vaultOf(invitation: string): string | undefined {
    return this.live(invitation)?.vault;
  }

  /** The vault's live invitations; `isMember` drops those whose joined device was already added (done). */
  list(vault: string, isMember: (device: string) => boolean): InvitationItem[] {
    this.sweep();
    const items: InvitationItem[] = [];
    for (const [invitation, slot] of this.slots) {
      if (slot.vault !== vault) continue;
      if (slot.request && isMember(slot.request.device)) {
        this.slots.delete(invitation);
        continue;
      }
      const { expiresAt, state, request } = slot;
      items.push({ invitation, vault, expiresAt, state, ...(request ? { request } : {}) });
    }
    return items;
  }

  private live(invitation: string): Slot | undefined {
    const slot = this.slots.get(invitation);
    if (slot && slot.expiresAt <= this.now()) {
      this.slots.delete(invitation);
      return undefined;
    }
    return slot;
  }

  private countFor(vault: string): number {
    let count = 0;
    for (const slot of this.slots.values()) if (slot.vault === vault) count++;
    return count;
  }

  private sweep(): void {
    const now = this.now();
    for (const [invitation, slot] of this.slots) if (slot.expiresAt <= now) this.slots.delete(invitation);
  }
}
