// An invitation slot as both relay stores keep it: one row per invitation, the join request as JSON.
import type { WireJoinRequest } from '../shared/sync/invitation-wire';
import type { InvitationSlot } from './store';

/** A row of the `invitations` table. */
export type InvitationRow = {
  invitation: string;
  vault: string;
  expires_at: number;
  state: InvitationSlot['state'];
  request: string | null;
  inviter: string;
  keep: string;
  contested: number;
};

/** The table's columns, in the order of `InvitationRow`. */
export const invitationColumns = 'invitation, vault, expires_at, state, request, inviter, keep, contested';

/** The row values of a slot, in the order of `invitationColumns`. */
export const rowValuesOf = (slot: InvitationSlot): unknown[] => [
  slot.invitation,
  slot.vault,
  slot.expiresAt,
  slot.state,
  slot.request && JSON.stringify(slot.request),
  slot.inviter,
  slot.keep,
  slot.contested,
];

/** The slot a row holds. */
export const slotOfRow = (row: InvitationRow): InvitationSlot => ({
  invitation: row.invitation,
  vault: row.vault,
  expiresAt: Number(row.expires_at),
  state: row.state,
  request: row.request === null ? null : (JSON.parse(row.request) as WireJoinRequest),
  inviter: row.inviter,
  keep: row.keep,
  contested: Number(row.contested),
});
