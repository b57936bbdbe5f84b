import { systemClock } from '../../../../shared/sync/ports';
import type { SyncSettings, UnlockedProfile } from '../vault-db';
import { browserRandom, connectBrowserSocket, createWebCryptoVerifier } from './browser-ports';
import type { Failure, Result } from '../../../../shared/result';
import { createWorkerReplica } from './worker-replica';
import { OFF_VIEW, SyncHub, type LinkFailure, type ShownPairing, type SyncPorts, type VaultSyncView } from './sync-hub';
import type { Received, ReceiveFailure } from './receive-vaults';
import type { RefusedChange } from '../../../../shared/sync/engine-core';
import type { MemberEvent } from '../../../../shared/sync/member-events';
import type { Pairing, PairingInvite } from '../../../../shared/sync/pairing';
import type { Role } from '../../../../shared/sync/wire-records';
import { TeamState } from '../team/team-state.svelte';
import { InviteDesk } from '../team/invite-desk.svelte';
import { JoinDesk } from '../team/join-desk.svelte';
import { MemberRemoval } from '../team/member-removal.svelte';

/** The browser's ports; reconnects back off from 0.5 s up to 10 s, so a restarted relay is found soon. */
export const browserSyncPorts: SyncPorts = {
  connect: connectBrowserSocket,
  verify: createWebCryptoVerifier(),
  random: browserRandom,
  clock: systemClock,
  retry: { initialMs: 500, maxMs: 10_000 },
  replica: createWorkerReplica,
};

/** The screens' view of sync for one unlocked session: each vault's settings and indicator, and the actions. */
export class SyncManager {
  views = $state.raw<Readonly<Record<string, VaultSyncView>>>({});
  private refused = $state.raw<Readonly<Record<string, readonly RefusedChange[]>>>({});
  /** Members, roles and names of the synced vaults. */
  readonly team: TeamState;
  /** Invitations this admin made, and the joiners waiting for its Confirm. */
  readonly invites: InviteDesk;
  /** Invitations this device accepted or declined. */
  readonly joins: JoinDesk;
  /** Removing members, leaving, and the rotation after someone left. */
  readonly removal: MemberRemoval;
  private readonly hub: SyncHub;

  constructor(session: UnlockedProfile, ports: SyncPorts = browserSyncPorts) {
    this.hub = new SyncHub(
      session,
      ports,
      (id, view) => (this.views = { ...this.views, [id]: view }),
      (id, change) => (this.refused = { ...this.refused, [id]: [...this.refusedIn(id), change] }),
    );
    this.team = new TeamState(session, this.hub, ports.clock);
    this.invites = new InviteDesk(session, this, ports);
    this.joins = new JoinDesk(session, this, ports);
    this.removal = new MemberRemoval(session, this.hub, this.team, ports.clock);
  }

  /** A vault's sync view (sync off until its settings were read). */
  /** Members' changes this device refused since unlock (shown in Activity). */
  refusedIn(vaultId: string): readonly RefusedChange[] {
    return this.refused[vaultId] ?? [];
  }

  /** The vault's verified member log as events (who added, changed or removed whom). */
  memberEvents(vaultId: string): readonly MemberEvent[] {
    return this.hub.memberEvents(vaultId);
  }

  view(vaultId: string): VaultSyncView {
    return this.views[vaultId] ?? OFF_VIEW;
  }

  /** Starts a pairing: the one-time code this device shows to be linked. */
  startPairing(): ShownPairing {
    return this.hub.startPairing();
  }

  async start(): Promise<void> {
    await this.hub.start();
    // Joiners waiting for this admin's Confirm from before a lock live in the relay's mailboxes.
    const synced = Object.keys(this.views).filter((id) => this.view(id).settings.enabled);
    void this.invites.findPending(synced);
  }

  stop(): Promise<void> {
    this.team.stop();
    this.invites.stop();
    this.joins.stop();
    this.removal.stop();
    return this.hub.stop();
  }

  configure(vaultId: string, settings: SyncSettings): Promise<Result<void, Failure<'configure-failed'>>> {
    return this.hub.configure(vaultId, settings);
  }

  /** Resets a vault's sync state after a fatal error and reconnects; fails with what to do. */
  reset(vaultId: string): Promise<Result<void, Failure<'reset-failed'>>> {
    return this.hub.reset(vaultId);
  }

  /** Links a device by its pairing code; the fingerprint to compare, or why not. */
  async link(vaultId: string, code: string): Promise<Result<string, LinkFailure>> {
    const linked = await this.hub.link(vaultId, code);
    if (linked.ok) this.team.nameLinkedDevice(vaultId, code);
    return linked;
  }

  forget(vaultId: string): Promise<void> {
    return this.hub.forget(vaultId);
  }

  /** Receives the vault an invitation was completed for (granted by its inviter), under the invitation's vault name. */
  receiveInvited(
    relayUrl: string,
    pairing: Pairing,
    vault: Readonly<{ id: string; name: string; inviterKey: string }>,
  ): Promise<Result<Received, ReceiveFailure>> {
    return this.hub.receiveInvited(relayUrl, pairing, vault);
  }

  /** Links a device by a pairing made here (an invitee's), with `role`; resolves to the fingerprint. */
  admit(vaultId: string, invite: string | PairingInvite, role: Role): Promise<Result<string, LinkFailure>> {
    return this.hub.admit(vaultId, invite, role);
  }

  /** Receives shared vaults; what was added, or why not. */
  receive(relayUrl: string): Promise<Result<Received, ReceiveFailure>> {
    return this.hub.receive(relayUrl);
  }
}
