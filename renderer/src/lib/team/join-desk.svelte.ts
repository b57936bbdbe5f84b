// The invitee's side of team invitations: reads a pasted invitation code (who invites you to which
// vault as what, and the fingerprint to compare), and on Accept posts the join request to the relay's
// mailbox and waits — while the app is unlocked — for the admin's app to complete it; the vault then
// arrives by itself. Decline tells the admin. Pending joins live in memory (locking forgets them).
import { SvelteMap } from 'svelte/reactivity';
import {
  decodeInvitationCode,
  invitationFingerprint,
  invitationPairing,
  sealJoinRequest,
  signDecline,
  type Invitation,
} from '../../../../shared/sync/invitation';
import { sendDecline, sendJoinRequest, type RelayReach } from '../../../../shared/sync/invitation-client';
import type { Clock, ConnectSocket, RandomBytes } from '../../../../shared/sync/ports';
import { ROLE_LABELS } from '../../../../shared/team/roles';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { checkSyncSettings, type UnlockedProfile } from '../vault-db';
import { describeOneShotFailure } from '../sync/sync-status';
import type { SyncManager } from '../sync/sync-manager.svelte';
import { repeatWhile, type Repeater } from './repeat';

/** An invitation as the invitee sees it before answering. */
export type InvitationPreview = Readonly<{ invitation: Invitation; sentence: string; fingerprint: string }>;

/** Where a join stands on the invitee's side. */
export type JoinState = 'pending' | 'joined' | 'declined';

/** A join this device asked for. */
export type Joining = Readonly<{ id: string; vaultName: string; state: JoinState; vaultId: string }>;

/** Why a code could not be read, or a join or decline could not be sent. */
export type JoinFailure = Failure<'bad-code' | 'join-failed'>;

/** What the desk needs besides the session. */
export type JoinDeskPorts = Readonly<{ connect: ConnectSocket; clock: Clock; random: RandomBytes }>;

const POLL_MS = 1500;

/** "Alice invites you to 'Production' as Editor". */
export function describeInvitation(invitation: Invitation): string {
  return `${invitation.inviterName} invites you to '${invitation.vaultName}' as ${ROLE_LABELS[invitation.role]}`;
}

/** Reads a pasted invitation code; says what is wrong with it otherwise. */
export function previewInvitation(code: string, now: number): Result<InvitationPreview, JoinFailure> {
  const invitation = decodeInvitationCode(code, now);
  if (invitation === 'malformed') return fail('bad-code', 'That is not an invitation code: copy it again.');
  if (invitation === 'expired') return fail('bad-code', 'That invitation expired: ask for a new one.');
  const relay = checkSyncSettings({ relayUrl: invitation.relayUrl, enabled: true });
  if (!relay.ok) return fail('bad-code', relay.error.message);
  return ok({ invitation, sentence: describeInvitation(invitation), fingerprint: invitationFingerprint(invitation) });
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

  /** Posts the join request (this device's keys and name); the vault then arrives by itself. */
  async accept(invitation: Invitation): Promise<Result<void, JoinFailure>> {
    const { name, person } = this.session.settings;
    if (!name || !person) return fail('join-failed', 'Give your name first (Settings): the admin sees who joins.');
    const identity = this.session.identity;
    const request = sealJoinRequest(
      invitation,
      { device: identity.signing, box: identity.exchange, card: { name, person } },
      this.ports.random,
    );
    const sent = await sendJoinRequest(await this.reach(invitation), request);
    if (!sent.ok) return fail('join-failed', describeOneShotFailure(sent.error));
    this.pending.set(request.invitation, invitation);
    this.record({
      id: request.invitation,
      vaultName: invitation.vaultName,
      vaultId: invitation.vaultId,
      state: 'pending',
    });
    this.loop.wake();
    return ok(undefined);
  }

  /** Tells the admin no. */
  async decline(invitation: Invitation): Promise<Result<void, JoinFailure>> {
    const decline = signDecline(invitation);
    const sent = await sendDecline(await this.reach(invitation), decline);
    if (!sent.ok) return fail('join-failed', describeOneShotFailure(sent.error));
    this.record({
      id: decline.invitation,
      vaultName: invitation.vaultName,
      vaultId: invitation.vaultId,
      state: 'declined',
    });
    return ok(undefined);
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

  private record(joining: Joining): void {
    this.joins = [...this.joins.filter((j) => j.id !== joining.id), joining];
  }

  // Looks for the grants of every pending join; true while any is still pending.
  private async round(): Promise<boolean> {
    for (const [id, invitation] of this.pending) {
      const vault = { id: invitation.vaultId, name: invitation.vaultName };
      const received = await this.sync.receiveInvited(invitation.relayUrl, invitationPairing(invitation), vault);
      if (!received.ok || received.value.imported.length === 0) continue;
      this.pending.delete(id);
      this.sync.team.vaultsChanged(invitation.vaultId);
      this.record({ id, vaultName: invitation.vaultName, vaultId: invitation.vaultId, state: 'joined' });
    }
    return this.pending.size > 0;
  }
}
