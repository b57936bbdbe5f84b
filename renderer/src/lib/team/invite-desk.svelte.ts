// The admin's side of team invitations: makes an invitation (code), opens its mailbox on the vault's
// relay with its own sealed copy, and — while the app is unlocked and online — watches the mailbox.
// When a join request arrives it shows who wants to join with the fingerprint binding the joiner's
// device, and waits for the admin's Confirm (the member record with the chosen role and the key grant
// proving the invitation's pairing, then the invitee's name card) or Reject. Nothing is granted before
// Confirm, except for a Viewer invitation the admin chose to confirm automatically. The sealed copy lives
// in the relay's mailbox, so after a lock the app finds its pending confirmations again.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { decodeBase64 } from '../../../../shared/crypto/bytes';
import {
  createInvitation,
  encodeInvitationCode,
  invitationFingerprint,
  invitationId,
  invitationPairing,
  openJoinRequest,
} from '../../../../shared/sync/invitation';
import {
  fetchInvitations,
  openInvitationMailbox,
  rejectJoiner,
  type RelayReach,
} from '../../../../shared/sync/invitation-client';
import { openKeptInvitation, sealKeptInvitation, type KeptInvitation } from '../../../../shared/sync/invitation-keep';
import type { InvitationItem, WireJoinRequest } from '../../../../shared/sync/invitation-wire';
import type { Clock, ConnectSocket, RandomBytes } from '../../../../shared/sync/ports';
import type { Role } from '../../../../shared/sync/wire-records';
import { writeCard } from '../../../../shared/team/people';
import { ROLE_LABELS } from '../../../../shared/team/roles';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { UnlockedProfile } from '../vault-db';
import { describeOneShotFailure } from '../sync/sync-status';
import type { SyncManager } from '../sync/sync-manager.svelte';
import { repeatWhile, type Repeater } from './repeat';

/**
 * Where an invitation stands on the admin's side: `pending` nobody joined yet, `waiting` a joiner waits
 * for Confirm, `joining` being added, then `added`, `declined` (by the invitee), `rejected` (by the admin).
 */
export type SentState = 'pending' | 'waiting' | 'joining' | 'added' | 'declined' | 'rejected' | 'failed';

/** An invitation this admin made. */
export type SentInvitation = Readonly<{
  id: string;
  vaultId: string;
  vaultName: string;
  role: Role;
  code: string;
  expiresAt: number;
  state: SentState;
  /** A Viewer invitation whose first joiner is added without asking. */
  autoConfirm: boolean;
  /** The joiner's name and the fingerprint over its device keys, once its request arrived. */
  inviteeName?: string;
  fingerprint?: string;
  /** How many other devices tried the same code: someone else has it. */
  contested: number;
  message?: string;
}>;

/** Why an invitation could not be made, confirmed or rejected. */
export type InviteFailure = Failure<'invite-failed'>;

/** What the desk needs besides the session. */
export type InviteDeskPorts = Readonly<{ connect: ConnectSocket; clock: Clock; random: RandomBytes }>;

const POLL_MS = 1500;
const open = (s: SentInvitation) => s.state === 'pending' || s.state === 'waiting';

/** The invitations this session made or found again in the relay's mailboxes, and the loop that watches them. */
export class InviteDesk {
  sent = $state.raw<readonly SentInvitation[]>([]);
  private readonly kept = new SvelteMap<string, KeptInvitation>();
  private readonly requests = new SvelteMap<string, WireJoinRequest>();
  private readonly loop: Repeater;

  constructor(
    private readonly session: UnlockedProfile,
    private readonly sync: SyncManager,
    private readonly ports: InviteDeskPorts,
  ) {
    this.loop = repeatWhile(ports.clock, POLL_MS, () => this.round());
  }

  /**
   * After unlock: looks once into the mailboxes of the synced vaults for invitations this device made
   * before (their sealed copies open with its key) and the joiners waiting on them.
   */
  async findPending(vaultIds: readonly string[]): Promise<void> {
    let any = false;
    for (const vaultId of vaultIds) any = (await this.look(vaultId).catch(() => false)) || any;
    if (any) this.loop.wake();
  }

  /** Makes an invitation to `vaultId` with `role` and opens its mailbox on the vault's relay. */
  async invite(
    vaultId: string,
    role: Role,
    vaultName: string,
    options: Readonly<{ autoConfirm?: boolean; service?: boolean }> = {},
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
        ...(options.service ? { service: true } : {}),
      },
      this.ports.random,
      this.ports.clock.now(),
    );
    const kept: KeptInvitation = { invitation, autoConfirm: options.autoConfirm === true && role === 'reader' };
    const id = invitationId(invitation.secret);
    const keep = sealKeptInvitation(kept, this.session.identity.exchange, this.ports.random);
    const opening = { vault: vaultId, invitation: id, expiresAt: invitation.expiresAt, keep };
    const opened = await openInvitationMailbox(await this.reach(settings.relayUrl), opening);
    if (!opened.ok) return fail('invite-failed', describeOneShotFailure(opened.error));
    const sent = this.remember(id, kept, 'pending');
    this.loop.wake();
    return ok(sent);
  }

  /** Withdraws an invitation nobody joined yet: the relay refuses its code from now on. */
  async withdraw(id: string): Promise<void> {
    const kept = this.kept.get(id);
    this.forget(id);
    if (kept) await rejectJoiner(await this.reach(this.relayOf(kept)), kept.invitation.vaultId, id);
  }

  /** Admits the joiner waiting on an invitation: member record, key grant and its name card. */
  async confirm(id: string): Promise<Result<void, InviteFailure>> {
    const kept = this.kept.get(id);
    const request = this.requests.get(id);
    const sent = this.sent.find((s) => s.id === id);
    if (!kept || !request || sent?.state !== 'waiting')
      return fail('invite-failed', 'Nobody is waiting on this invitation any more.');
    const { invitation } = kept;
    const card = openJoinRequest(invitation, request);
    if (!card) return fail('invite-failed', 'The join request does not open: reject it and invite again.');
    this.update(id, { state: 'joining', message: undefined });
    const pairing = invitationPairing(invitation);
    const identity = { signing: decodeBase64(request.device), box: decodeBase64(request.box) };
    const added = await this.sync.admit(
      invitation.vaultId,
      { identity, secret: pairing.secret, expiresAt: pairing.expiresAt },
      invitation.role,
    );
    if (!added.ok) {
      this.update(id, { state: 'waiting', message: added.error.message });
      return fail('invite-failed', added.error.message);
    }
    const doc = this.sync.team.docOf(invitation.vaultId);
    const since = this.ports.clock.now();
    // A pipeline's agent shows as a Service in Members.
    const service = invitation.service ? { service: true as const } : {};
    if (doc)
      writeCard(doc, request.device, { ...card, since, addedBy: this.sync.team.me, box: request.box, ...service });
    this.update(id, { state: 'added' });
    return ok(undefined);
  }

  /** Refuses the joiner waiting on an invitation; its code then takes nobody. */
  async reject(id: string): Promise<Result<void, InviteFailure>> {
    const kept = this.kept.get(id);
    if (!kept) return fail('invite-failed', 'This invitation is not here any more.');
    const refused = await rejectJoiner(await this.reach(this.relayOf(kept)), kept.invitation.vaultId, id);
    if (!refused.ok) return fail('invite-failed', describeOneShotFailure(refused.error));
    this.update(id, { state: 'rejected', message: undefined });
    this.requests.delete(id);
    return ok(undefined);
  }

  /** The invitations made for a vault. */
  forVault(vaultId: string): readonly SentInvitation[] {
    return this.sent.filter((s) => s.vaultId === vaultId);
  }

  /** The joiners of a vault waiting for this admin's Confirm. */
  waitingIn(vaultId: string): readonly SentInvitation[] {
    return this.sent.filter((s) => s.vaultId === vaultId && s.state === 'waiting');
  }

  stop(): void {
    this.loop.stop();
    for (const { invitation } of this.kept.values()) invitation.secret.fill(0);
    this.kept.clear();
    this.requests.clear();
  }

  private remember(id: string, kept: KeptInvitation, state: SentState): SentInvitation {
    const { invitation, autoConfirm } = kept;
    const sent: SentInvitation = {
      id,
      vaultId: invitation.vaultId,
      vaultName: invitation.vaultName,
      role: invitation.role,
      code: encodeInvitationCode(invitation),
      expiresAt: invitation.expiresAt,
      state,
      autoConfirm,
      contested: 0,
    };
    this.kept.set(id, kept);
    this.sent = [...this.sent.filter((s) => s.id !== id), sent];
    return sent;
  }

  private forget(id: string): void {
    this.kept.get(id)?.invitation.secret.fill(0);
    this.kept.delete(id);
    this.requests.delete(id);
    this.sent = this.sent.filter((s) => s.id !== id);
  }

  private relayOf(kept: KeptInvitation): string {
    const { settings } = this.sync.view(kept.invitation.vaultId);
    return settings.enabled ? settings.relayUrl : kept.invitation.relayUrl;
  }

  private async reach(relayUrl: string): Promise<RelayReach> {
    return {
      relayUrl,
      connect: this.ports.connect,
      device: await this.session.deviceSigner(),
      clock: this.ports.clock,
    };
  }

  // One look at a vault's mailboxes: this device's invitations (found again after a lock by their sealed
  // copy) take what arrived. True while any of them is still open.
  private async look(vaultId: string): Promise<boolean> {
    const { settings } = this.sync.view(vaultId);
    if (!settings.enabled) return false;
    const listed = await fetchInvitations(await this.reach(settings.relayUrl), vaultId);
    if (!listed.ok) return false;
    for (const item of listed.value) await this.take(item);
    return this.forVault(vaultId).some(open);
  }

  // One look at every vault with open invitations; true while any is still open.
  private async round(): Promise<boolean> {
    const now = this.ports.clock.now();
    const vaults = new SvelteSet(this.sent.filter((s) => open(s) && s.expiresAt > now).map((s) => s.vaultId));
    for (const vaultId of vaults) await this.look(vaultId);
    return this.sent.some((s) => open(s) && s.expiresAt > this.ports.clock.now());
  }

  private async take(item: InvitationItem): Promise<void> {
    if (!this.kept.has(item.invitation)) this.findAgain(item);
    const kept = this.kept.get(item.invitation);
    const sent = this.sent.find((s) => s.id === item.invitation);
    if (!kept || !sent) return;
    if (item.contested !== sent.contested) this.update(item.invitation, { contested: item.contested });
    if (item.state === 'declined' || item.state === 'rejected') {
      if (open(sent)) this.update(item.invitation, { state: item.state });
      return;
    }
    if (item.state !== 'joined' || !item.request || !open(sent)) return;
    // Already taken: an automatic Confirm that failed (the vault was not connected yet) is tried again.
    if (this.requests.get(item.invitation)?.sig === item.request.sig) {
      if (kept.autoConfirm && sent.state === 'waiting') await this.confirm(item.invitation);
      return;
    }
    const card = openJoinRequest(kept.invitation, item.request);
    if (!card) return this.update(item.invitation, { state: 'failed', message: 'The join request does not open.' });
    this.requests.set(item.invitation, item.request);
    const fingerprint = invitationFingerprint(kept.invitation, item.request);
    this.update(item.invitation, { state: 'waiting', inviteeName: card.name, fingerprint });
    if (kept.autoConfirm) await this.confirm(item.invitation);
  }

  // An invitation of this device listed by the relay but not in memory (made before a lock): its copy opens.
  private findAgain(item: InvitationItem): void {
    if (item.inviter !== this.sync.team.me || (item.state !== 'open' && item.state !== 'joined')) return;
    const kept = openKeptInvitation(item, this.session.boxKeys(), this.ports.clock.now());
    if (kept) this.remember(item.invitation, kept, 'pending');
  }

  private update(id: string, patch: Partial<SentInvitation>): void {
    this.sent = this.sent.map((s) => (s.id === id ? { ...s, ...patch } : s));
  }
}

/** "Bob wants to join 'Production' as Editor". */
export function describeJoiner(sent: SentInvitation): string {
  return `${sent.inviteeName ?? 'Someone'} wants to join '${sent.vaultName}' as ${ROLE_LABELS[sent.role]}`;
}
