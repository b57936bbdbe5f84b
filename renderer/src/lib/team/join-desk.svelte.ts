// The invitee's side of team invitations: reads a pasted invitation code (who invites you to which
// vault as what), and on Accept posts the join request to the relay's mailbox, shows the fingerprint
// over the code and this device's keys — the admin sees the same digits next to Confirm — and waits,
// while the app is unlocked, for the admin to confirm: the vault then arrives by itself (only from the
// inviter the code names), or the admin rejects. Decline tells the admin. Pending joins live in memory
// (after a lock, accepting the same code again continues the same request).
import { SvelteMap } from 'svelte/reactivity';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { errorCodes } from '../../../../shared/sync/codes';
import {
  decodeInvitationCode,
  invitationFingerprint,
  invitationPairing,
  sealJoinRequest,
  signDecline,
  type Invitation,
} from '../../../../shared/sync/invitation';
import {
  fetchJoinStatus,
  sendDecline,
  sendJoinRequest,
  type RelayReach,
} from '../../../../shared/sync/invitation-client';
import type { Clock, ConnectSocket, RandomBytes } from '../../../../shared/sync/ports';
import { ROLE_LABELS } from '../../../../shared/team/roles';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { checkSyncSettings, type UnlockedProfile } from '../vault-db';
import { describeOneShotFailure } from '../sync/sync-status';
import type { SyncManager } from '../sync/sync-manager.svelte';
import { repeatWhile, type Repeater } from './repeat';

/** An invitation as the invitee sees it before answering. */
export type InvitationPreview = Readonly<{ invitation: Invitation; sentence: string }>;

/** Where a join stands on the invitee's side: waiting for the admin's Confirm, joined, rejected, or declined. */
export type JoinState = 'waiting' | 'joined' | 'rejected' | 'declined';

/** A join this device asked for. */
export type Joining = Readonly<{
  id: string;
  vaultName: string;
  vaultId: string;
  inviterName: string;
  /** The digits the admin sees next to Confirm (over the code and this device's keys). */
  fingerprint: string;
  state: JoinState;
}>;

/** Why a code could not be read, or a join or decline could not be sent. */
export type JoinFailure = Failure<'bad-code' | 'join-failed'>;

/** What the desk needs besides the session. */
export type JoinDeskPorts = Readonly<{ connect: ConnectSocket; clock: Clock; random: RandomBytes }>;

const POLL_MS = 1500;

/** "Alice invites you to 'Production' as Editor". */
export function describeInvitation(invitation: Invitation): string {
  return `${invitation.inviterName} invites you to '${invitation.vaultName}' as ${ROLE_LABELS[invitation.role]}`;
}

/** "Waiting for Alice to confirm". */
export function describeWaiting(joining: Pick<Joining, 'inviterName'>): string {
  return `Waiting for ${joining.inviterName} to confirm`;
}

/** Reads a pasted invitation code; says what is wrong with it otherwise. */
export function previewInvitation(code: string, now: number): Result<InvitationPreview, JoinFailure> {
  const invitation = decodeInvitationCode(code, now);
  if (invitation === 'malformed') return fail('bad-code', 'That is not an invitation code: copy it again.');
  if (invitation === 'expired') return fail('bad-code', 'That invitation expired: ask for a new one.');
  const relay = checkSyncSettings({ relayUrl: invitation.relayUrl, enabled: true });
  if (!relay.ok) return fail('bad-code', relay.error.message);
  return ok({ invitation, sentence: describeInvitation(invitation) });
}

/** The joins this session asked for, and the loop that receives their vaults. */
export class JoinDesk {
  joins = $state.raw<readonly Joining[]>([]);
  private readonly pending = new SvelteMap<string, Invitation>();
  private readonly loop: Repeater;

  constructor(
    private readonly session: UnlockedProfile,
    private readonly sync: SyncManager,
    private readonly ports: JoinDeskPorts,
  ) {
    this.loop = repeatWhile(ports.clock, POLL_MS, () => this.round());
  }

  /** The fingerprint this device's join shows for an invitation (the admin sees the same digits). */
  fingerprintOf(invitation: Invitation): string {
    const { signing, exchange } = this.session.identity;
    return invitationFingerprint(invitation, { device: encodeBase64(signing), box: encodeBase64(exchange) });
  }

  /** Posts the join request (this device's keys and name); the vault arrives once the admin confirms. */
  async accept(invitation: Invitation): Promise<Result<Joining, JoinFailure>> {
    const { name, person } = this.session.settings;
    if (!name || !person) return fail('join-failed', 'Give your name first (Settings): the admin sees who joins.');
    const identity = this.session.identity;
    const request = sealJoinRequest(
      invitation,
      { device: identity.signing, box: identity.exchange, card: { name, person } },
      this.ports.random,
    );
    const sent = await sendJoinRequest(await this.reach(invitation), request);
    if (!sent.ok && sent.error.number === errorCodes.invitationUsed)
      return fail(
        'join-failed',
        `Someone else already used this code, so it no longer works. Tell ${invitation.inviterName} (they see that it was used twice) and ask for a new invitation.`,
      );
    if (!sent.ok) return fail('join-failed', describeOneShotFailure(sent.error));
    this.pending.set(request.invitation, invitation);
    const joining = this.record(request.invitation, invitation, 'waiting');
    this.loop.wake();
    return ok(joining);
  }

  /** Tells the admin no. */
  async decline(invitation: Invitation): Promise<Result<Joining, JoinFailure>> {
    const decline = signDecline(invitation);
    const sent = await sendDecline(await this.reach(invitation), decline);
    if (!sent.ok) return fail('join-failed', describeOneShotFailure(sent.error));
    return ok(this.record(decline.invitation, invitation, 'declined'));
  }

  stop(): void {
    this.loop.stop();
    for (const invitation of this.pending.values()) invitation.secret.fill(0);
    this.pending.clear();
  }

  private async reach(invitation: Invitation): Promise<RelayReach> {
    const device = await this.session.deviceSigner();
    return { relayUrl: invitation.relayUrl, connect: this.ports.connect, device, clock: this.ports.clock };
  }

  private record(id: string, invitation: Invitation, state: JoinState): Joining {
    const joining: Joining = {
      id,
      vaultName: invitation.vaultName,
      vaultId: invitation.vaultId,
      inviterName: invitation.inviterName,
      fingerprint: this.fingerprintOf(invitation),
      state,
    };
    this.joins = [...this.joins.filter((j) => j.id !== id), joining];
    return joining;
  }

  // Looks for the grants of every pending join, and whether the admin rejected it; true while any is pending.
  private async round(): Promise<boolean> {
    for (const [id, invitation] of this.pending) {
      const { vaultId, vaultName, inviterKey, relayUrl } = invitation;
      const vault = { id: vaultId, name: vaultName, inviterKey };
      const received = await this.sync.receiveInvited(relayUrl, invitationPairing(invitation), vault);
      if (received.ok && received.value.imported.length > 0) {
        this.pending.delete(id);
        this.sync.team.vaultsChanged(vaultId);
        this.record(id, invitation, 'joined');
        continue;
      }
      const status = await fetchJoinStatus(await this.reach(invitation), id);
      if (status.ok && status.value === 'rejected') {
        this.pending.delete(id);
        this.record(id, invitation, 'rejected');
      }
    }
    return this.pending.size > 0;
  }
}
