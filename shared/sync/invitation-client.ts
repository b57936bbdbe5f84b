// The one-shot relay requests of team invitations, each over its own short connection (like
// pullKeyGrants): an admin opens an invitation's mailbox, lists what arrived and rejects a joiner; the
// invitee posts its join request or its decline and asks where its request stands. Failures come back
// as data with their numbered code.
import { catchSyncError, errorCodes, SyncProtocolError, type SyncFailure } from './codes';
import type { InvitationItem, JoinStatus, WireDecline, WireJoinRequest } from './invitation-wire';
import type { Clock, ConnectSocket, DeviceSigner } from './ports';
import type { Result } from '../result';
import { openRelayConnection, type RequestBody } from './relay-connection';
import type { RelayFrame } from './wire-frames';

/** Where and as whom to talk to the relay. */
export type RelayReach = Readonly<{ relayUrl: string; connect: ConnectSocket; device: DeviceSigner; clock: Clock }>;

async function requestOnce(reach: RelayReach, body: RequestBody): Promise<RelayFrame> {
  const session = await openRelayConnection({
    url: reach.relayUrl,
    connect: reach.connect,
    signer: reach.device,
    clock: reach.clock,
  });
  try {
    return await session.request(body);
  } finally {
    session.close();
  }
}

async function expectDone(reach: RelayReach, body: RequestBody): Promise<void> {
  const answer = await requestOnce(reach, body);
  if (answer.t !== 'done') throw new SyncProtocolError(errorCodes.protocolViolation, `unexpected ${answer.t} answer`);
}

/** What an admin opens a mailbox with: the vault, the invitation's public id and expiry, its own sealed copy. */
export type MailboxOpening = Readonly<{ vault: string; invitation: string; expiresAt: number; keep: string }>;

/** Opens the relay's mailbox for an invitation (this device must be an admin of the vault). */
export function openInvitationMailbox(reach: RelayReach, opening: MailboxOpening): Promise<Result<void, SyncFailure>> {
  return catchSyncError(() => expectDone(reach, { t: 'invite', ...opening }));
}

/** Refuses the device that joined through an invitation (or withdraws one nobody used): its code stops working. */
export function rejectJoiner(reach: RelayReach, vault: string, invitation: string): Promise<Result<void, SyncFailure>> {
  return catchSyncError(() => expectDone(reach, { t: 'reject', vault, invitation }));
}

/** Where this device's join request stands (waiting for the admin's Confirm, or rejected). */
export function fetchJoinStatus(reach: RelayReach, invitation: string): Promise<Result<JoinStatus, SyncFailure>> {
  return catchSyncError(async () => {
    const answer = await requestOnce(reach, { t: 'join-state', invitation });
    if (answer.t !== 'join-status')
      throw new SyncProtocolError(errorCodes.protocolViolation, `unexpected ${answer.t} answer`);
    return answer.state;
  });
}

/** Posts the invitee's join request. */
export function sendJoinRequest(reach: RelayReach, request: WireJoinRequest): Promise<Result<void, SyncFailure>> {
  return catchSyncError(() => expectDone(reach, { t: 'join', request }));
}

/** Posts the invitee's decline. */
export function sendDecline(reach: RelayReach, decline: WireDecline): Promise<Result<void, SyncFailure>> {
  return catchSyncError(() => expectDone(reach, { t: 'decline', decline }));
}

/** Lists a vault's open invitations with what arrived in them (admins only). */
export function fetchInvitations(
  reach: RelayReach,
  vault: string,
): Promise<Result<readonly InvitationItem[], SyncFailure>> {
  return catchSyncError(async () => {
    const answer = await requestOnce(reach, { t: 'invitations', vault });
    if (answer.t !== 'invitation-list')
      throw new SyncProtocolError(errorCodes.protocolViolation, `unexpected ${answer.t} answer`);
    return answer.items;
  });
}
