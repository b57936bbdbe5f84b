// The admin's side of team invitations: makes an invitation (code + fingerprint), opens its mailbox on
// the vault's relay, and — while the app is unlocked and online — watches the mailbox and completes
// each join by itself: the member record with the chosen role and the key grant proving the
// invitation's pairing, then the invitee's name card in the vault. Invitations live in memory, like
// pairing codes: locking voids the open ones (make a new one).
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { decodeBase64 } from '../../../../shared/crypto/bytes';
import {
  createInvitation,
  encodeInvitationCode,
  invitationFingerprint,
  invitationId,
  invitationPairing,
  openJoinRequest,
  type Invitation,
} from '../../../../shared/sync/invitation';
import { fetchInvitations, openInvitationMailbox, type RelayReach } from '../../../../shared/sync/invitation-client';
import type { InvitationItem } from '../../../../shared/sync/invitation-wire';
import type { Clock, ConnectSocket, RandomBytes } from '../../../../shared/sync/ports';
import type { Role } from '../../../../shared/sync/wire-records';
import { writeCard } from '../../../../shared/team/people';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { UnlockedProfile } from '../vault-db';
import { describeOneShotFailure } from '../sync/sync-status';
import type { SyncManager } from '../sync/sync-manager.svelte';
import { repeatWhile, type Repeater } from './repeat';

/** Where an invitation stands on the admin's side. */
export type SentState = 'pending' | 'joining' | 'added' | 'declined' | 'failed';

/** An invitation this admin made. */
export type SentInvitation = Readonly<{
  id: string;
  vaultId: string;
  role: Role;
  code: string;
  fingerprint: string;
  expiresAt: number;
  state: SentState;
  /** The invitee's name, once its join request arrived. */
  inviteeName?: string;
  message?: string;
}>;

/** Why an invitation could not be made. */
export type InviteFailure = Failure<'invite-failed'>;

/** What the desk needs besides the session. */
export type InviteDeskPorts = Readonly<{ connect: ConnectSocket; clock: Clock; random: RandomBytes }>;

const POLL_MS = 1500;

/** The invitations this session made, and the loop that completes them. */
export class InviteDesk {
  sent = $state.raw<readonly SentInvitation[]>([]);
  private readonly secrets = new SvelteMap<string, Invitation>();
  private readonly loop: Repeater;

  constructor(
    private readonly session: UnlockedProfile,
    private readonly sync: SyncManager,
    private readonly ports: InviteDeskPorts,
  ) {
    this.loop = repeatWhile(ports.clock, POLL_MS, () => this.round());
  }

  /** Makes an invitation to `vaultId` with `role` and opens its mailbox on the vault's relay. */
  async invite(
    vaultId: string,
    role: Role,
    vaultName: string,
    service = false,
  ): Promise<Result<SentInvitation, InviteFailure>> {
    const { settings, indicator } = this.sync.view(vaultId);
    if (!settings.enabled || !this.sync.team.rightsIn(vaultId).admin)
      return fail('invite-failed', 'Turn on sync for this vault first: invitations go through its relay.');
    if (indicator.kind !== 'synced' && indicator.kind !== 'pending')
      return fail('invite-failed', 'Wait until this vault is connected to its relay (Synced), then invite.');
    const inviterName = this.session.settings.name;
    if (!inviterName)
      return fail('invite-failed', 'Give your name in Settings first: the invitee sees who invites them.');
    const invitation = createInvitation(
      {
        relayUrl: settings.relayUrl,
        vaultId,
        vaultName,
        inviterName,
        role,
        inviterKey: this.sync.team.me,
        ...(service ? { service } : {}),
      },
      this.ports.random,
      this.ports.clock.now(),
    );
    const id = invitationId(invitation.secret);
    const opened = await openInvitationMailbox(await this.reach(settings.relayUrl), vaultId, id, invitation.expiresAt);
    if (!opened.ok) return fail('invite-failed', describeOneShotFailure(opened.error));
    const sent: SentInvitation = {
      id,
      vaultId,
      role,
      code: encodeInvitationCode(invitation),
      fingerprint: invitationFingerprint(invitation),
      expiresAt: invitation.expiresAt,
      state: 'pending',
    };
    this.secrets.set(id, invitation);
    this.sent = [...this.sent, sent];
    this.loop.wake();
    return ok(sent);
  }

  /** Forgets an invitation nobody joined yet (its code stops working here; the relay lets it expire). */
  withdraw(id: string): void {
    this.secrets.get(id)?.secret.fill(0);
    this.secrets.delete(id);
    this.sent = this.sent.filter((s) => s.id !== id);
  }

  /** The invitations made for a vault. */
  forVault(vaultId: string): readonly SentInvitation[] {
    return this.sent.filter((s) => s.vaultId === vaultId);
  }

  stop(): void {
    this.loop.stop();
    for (const invitation of this.secrets.values()) invitation.secret.fill(0);
    this.secrets.clear();
  }

  private async reach(relayUrl: string): Promise<RelayReach> {
    return {
      relayUrl,
      connect: this.ports.connect,
      device: await this.session.deviceSigner(),
      clock: this.ports.clock,
    };
  }

  // One look at every vault with open invitations; true while any is still open.
  private async round(): Promise<boolean> {
    const open = this.sent.filter((s) => s.state === 'pending' && s.expiresAt > this.ports.clock.now());
    for (const vaultId of new SvelteSet(open.map((s) => s.vaultId))) {
      const relayUrl = this.secrets.get(open.find((s) => s.vaultId === vaultId)?.id ?? '')?.relayUrl;
      if (!relayUrl) continue;
      const listed = await fetchInvitations(await this.reach(relayUrl), vaultId);
      if (!listed.ok) continue;
      for (const item of listed.value) await this.handle(item);
    }
    return this.sent.some((s) => s.state === 'pending' && s.expiresAt > this.ports.clock.now());
  }

  private async handle(item: InvitationItem): Promise<void> {
    const invitation = this.secrets.get(item.invitation);
    const sent = this.sent.find((s) => s.id === item.invitation);
    if (!invitation || sent?.state !== 'pending') return;
    if (item.state === 'declined') return this.update(item.invitation, { state: 'declined' });
    if (item.state !== 'joined' || !item.request) return;
    const card = openJoinRequest(invitation, item.request);
    if (!card) return this.update(item.invitation, { state: 'failed', message: 'The join request does not open.' });
    this.update(item.invitation, { state: 'joining', inviteeName: card.name });
    const pairing = invitationPairing(invitation);
    const identity = { signing: decodeBase64(item.request.device), box: decodeBase64(item.request.box) };
    const added = await this.sync.admit(
      invitation.vaultId,
      { identity, secret: pairing.secret, expiresAt: pairing.expiresAt },
      invitation.role,
    );
    if (!added.ok) return this.update(item.invitation, { state: 'pending', message: added.error.message });
    const doc = this.sync.team.docOf(invitation.vaultId);
    const since = this.ports.clock.now();
    const box = item.request.box;
    const service = invitation.service ? { service: true as const } : {};
    if (doc) writeCard(doc, item.request.device, { ...card, since, addedBy: this.sync.team.me, box, ...service });
    this.update(item.invitation, { state: 'added' });
  }

  private update(id: string, patch: Partial<SentInvitation>): void {
    this.sent = this.sent.map((s) => (s.id === id ? { ...s, ...patch } : s));
  }
}
