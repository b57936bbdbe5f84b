// Runs one sync engine per vault whose sync is on, for as long as the session is unlocked: opens the vault's
// document, wires the engine to its sealed storage, and reports each vault's indicator. Also the two halves
// of pairing a device: authorizing one (on a vault's engine) and, on the new device, showing a one-time
// pairing code and receiving the vaults granted through it.
import type { RefusedChange, SyncStatus } from '../../../../shared/sync/engine-core';
import { judgeVaultChange } from '../../../../shared/entries/change-judge';
import { createReplica, type JudgeReplica } from '../../../../shared/sync/judge';
import { recordMemberActivity } from '../../../../shared/entries/activity';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import type { MemberEvent } from '../../../../shared/sync/member-events';
import type * as Y from 'yjs';
import { createSyncEngine, type SyncEngine } from '../../../../shared/sync/engine';
import { createGenesisRecord } from '../../../../shared/sync/members';
import { startPairing, type Pairing, type PairingInvite } from '../../../../shared/sync/pairing';
import type { Role } from '../../../../shared/sync/wire-records';
import type { Clock, ConnectSocket, DeviceSigner, RandomBytes, VerifySignature } from '../../../../shared/sync/ports';
import { fail, failWith, ok, type Failure, type Result } from '../../../../shared/result';
import type { SyncFailure } from '../../../../shared/sync/codes';
import type { PulledGrants } from '../../../../shared/sync/link';
import {
  DEFAULT_SYNC_SETTINGS,
  checkSyncSettings,
  type OpenVault,
  type SyncSettings,
  type UnlockedProfile,
  type VaultSyncState,
} from '../vault-db';
import { importReceived, type Received, type ReceiveFailure } from './receive-vaults';
import { describeOneShotFailure, describeSyncFailure, toIndicator, type SyncIndicator } from './sync-status';

/** How the hub reaches the network and the clock (the browser's in the app; Node's in tests). */
export type SyncPorts = Readonly<{
  connect: ConnectSocket;
  verify: VerifySignature;
  random: RandomBytes;
  clock: Clock;
  retry?: Readonly<{ initialMs?: number; maxMs?: number; timeoutMs?: number }>;
  /** Where each vault's log replica and judge run (the app: a Web Worker); default: in this thread. */
  replica?: (vaultId: string) => JudgeReplica;
}>;

/** One vault's sync as the screen shows it. */
export type VaultSyncView = Readonly<{ settings: SyncSettings; indicator: SyncIndicator }>;

/** Why linking a device failed: this vault's sync is off, or the engine's numbered failure (in plain words). */
export type LinkFailure = SyncFailure | Failure<'sync-off'>;

/** A pairing code this device shows, and when it stops working. */
export type ShownPairing = Readonly<{ code: string; expiresAt: number }>;

/** The view of a vault whose sync was never set up. */
export const OFF_VIEW: VaultSyncView = { settings: DEFAULT_SYNC_SETTINGS, indicator: { kind: 'off' } };

type Running = Readonly<{
  engine: SyncEngine;
  state: VaultSyncState;
  detach: () => void;
  doc: Y.Doc;
  replica: JudgeReplica | null;
}>;

/** The per-session owner of every vault's sync engine. */
export class SyncHub {
  private readonly running = new Map<string, Running>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private signer: Promise<DeviceSigner> | null = null;
  private stopped = false;
  // Pairings this device started and has not used; in memory only, so locking voids their codes.
  private readonly pairings = new Map<string, Pairing>();
  // Called after each engine started (team vaults write this device's name card then).
  private readonly startedListeners = new Set<(vaultId: string, engine: SyncEngine) => void>();

  constructor(
    private readonly session: UnlockedProfile,
    private readonly ports: SyncPorts,
    private readonly onChange: (vaultId: string, view: VaultSyncView) => void,
    /** Told about each member's change this device refused (validly signed, beyond the author's rights). */
    private readonly onRefused: (vaultId: string, change: RefusedChange) => void = () => undefined,
  ) {}

  /** Starts an engine for every vault whose sync is on. */
  async start(): Promise<void> {
    this.session.onLock(() => this.stop());
    const vaults = await this.session.listVaults();
    if (!vaults.ok) return; // locked meanwhile: nothing to start
    await Promise.all(
      vaults.value.filter((v) => v.problem === null).map((v) => this.serial(v.id, () => this.launch(v.id))),
    );
  }

  /** Stops every engine (before the session locks, or as it does). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.forgetPairings(() => true);
    await Promise.allSettled([...this.running.keys()].map((id) => this.halt(id)));
  }

  /** Starts a pairing: the code this device shows to be linked, valid once and for 10 minutes. */
  startPairing(): ShownPairing {
    const now = this.ports.clock.now();
    this.forgetPairings((pairing) => pairing.expiresAt <= now);
    const pairing = startPairing(this.ports.random, now);
    this.pairings.set(pairing.id, pairing);
    return { code: this.session.pairingCode(pairing), expiresAt: pairing.expiresAt };
  }

  private forgetPairings(which: (pairing: Pairing) => boolean): void {
    for (const [id, pairing] of this.pairings) {
      if (!which(pairing)) continue;
      pairing.secret.fill(0);
      this.pairings.delete(id);
    }
  }

  /** Stores a vault's settings and restarts (or stops) its engine; fails with what to fix. */
  configure(vaultId: string, settings: SyncSettings): Promise<Result<void, Failure<'configure-failed'>>> {
    // Checked before the engine stops: a mistyped address leaves a running sync alone.
    const valid = checkSyncSettings(settings);
    if (!valid.ok) return Promise.resolve(fail('configure-failed', valid.error.message));
    return this.restartWith(vaultId, 'configure-failed', (state) => state.saveSettings(valid.value));
  }

  /**
   * After a fatal sync error: stops the vault's engine, resets its sync cursor (local data and the queue of
   * unsent changes stay) and starts it again, so it catches up from the relay and sends everything again.
   */
  reset(vaultId: string): Promise<Result<void, Failure<'reset-failed'>>> {
    return this.restartWith(vaultId, 'reset-failed', (state) => state.resetCursor());
  }

  // Stops a vault's engine, changes its stored sync state, and starts it again.
  private restartWith<C extends string>(
    vaultId: string,
    code: C,
    change: (state: VaultSyncState) => Promise<unknown>,
  ): Promise<Result<void, Failure<C>>> {
    return this.serial(vaultId, async () => {
      try {
        await this.halt(vaultId);
        const state = await this.session.syncState(vaultId);
        if (!state.ok) return fail(code, state.error.message);
        try {
          await change(state.value);
        } finally {
          state.value.wipe();
        }
        await this.launch(vaultId);
        return ok(undefined);
      } catch (error) {
        return fail(code, describeSyncFailure(error));
      }
    });
  }

  /** Links the device whose pairing code is `code` to a vault; resolves to the fingerprint both devices show. */
  async link(vaultId: string, code: string): Promise<Result<string, LinkFailure>> {
    const engine = this.running.get(vaultId)?.engine;
    // A person's new device gets the person's role (an admin's, since only admins sign member records).
    const me = encodeBase64((await this.deviceSigner()).publicKey);
    const role = engine?.members().find((m) => m.publicKey === me)?.role ?? 'admin';
    return this.admit(vaultId, code.trim(), role);
  }

  /** Adds a device by its pairing code, or by keys and a pairing secret an invitation carried, with `role`. */
  async admit(vaultId: string, invite: string | PairingInvite, role: Role): Promise<Result<string, LinkFailure>> {
    const running = this.running.get(vaultId);
    if (!running) return fail('sync-off', 'Turn on sync for this vault first: linking goes through the relay.');
    const linked = await running.engine.authorizeDevice(invite, role);
    if (linked.ok) this.noteMemberChange(running);
    return linked.ok ? linked : failWith({ ...linked.error, message: describeOneShotFailure(linked.error) });
  }

  /** The vault's verified member log as events, for Activity (empty while its sync is off). */
  memberEvents(vaultId: string): readonly MemberEvent[] {
    return this.running.get(vaultId)?.engine.memberEvents() ?? [];
  }

  // After this admin appended a member record: when, in the vault's activity list (what, the record says).
  private noteMemberChange(running: Running): void {
    const index = running.engine.memberEvents().length - 1;
    const actor = encodeBase64(this.session.identity.signing);
    const ctx = { actor, now: () => this.ports.clock.now(), newId: () => crypto.randomUUID() };
    running.doc.transact(() => recordMemberActivity(running.doc, index, ctx));
  }

  /** Gives a member another role (this device an admin, online); noted in Activity like a link. */
  async changeRole(vaultId: string, publicKey: Uint8Array, role: Role): Promise<Result<void, LinkFailure>> {
    const running = this.running.get(vaultId);
    if (!running) return fail('sync-off', 'Turn on sync for this vault first: roles change through the relay.');
    const changed = await running.engine.changeRole(publicKey, role);
    if (changed.ok) this.noteMemberChange(running);
    return changed.ok ? changed : failWith({ ...changed.error, message: describeOneShotFailure(changed.error) });
  }

  /** The running engine of a vault, if its sync is on and started. */
  engineOf(vaultId: string): SyncEngine | undefined {
    return this.running.get(vaultId)?.engine;
  }

  /** Calls `listener` after each engine starts; returns the unsubscribe function. */
  onStarted(listener: (vaultId: string, engine: SyncEngine) => void): () => void {
    this.startedListeners.add(listener);
    return () => this.startedListeners.delete(listener);
  }

  /**
   * Receives the vault an invitation's pairing was granted through, named as the invitation says, and
   * starts it. Only the invited vault, granted by the inviter the code names: whoever else saw the code
   * could prove the pairing for a vault of theirs, or grant from another admin key.
   */
  receiveInvited(
    relayUrl: string,
    pairing: Pairing,
    vault: Readonly<{ id: string; name: string; inviterKey: string }>,
  ): Promise<Result<Received, ReceiveFailure>> {
    return this.pullAndImport(relayUrl, [pairing], (pulled) => ({
      pulled: {
        vaults: pulled.vaults.filter((v) => v.vaultId === vault.id && v.signer === vault.inviterKey),
        refused: [],
      },
      name: vault.name,
    }));
  }

  /** Stops a vault's engine for good (the vault is being deleted from this device). */
  forget(vaultId: string): Promise<void> {
    return this.serial(vaultId, () => this.halt(vaultId));
  }

  /** Fetches the vaults other devices shared with this one from `relayUrl`, adds and starts syncing them. */
  receive(relayUrl: string): Promise<Result<Received, ReceiveFailure>> {
    return this.pullAndImport(relayUrl, [...this.pairings.values()], (pulled) => {
      // A pairing is used once: whatever it brought is taken now, a later grant proving it is refused.
      const used = new Set(pulled.vaults.map((vault) => vault.pairingId));
      this.forgetPairings((pairing) => used.has(pairing.id));
      return { pulled };
    });
  }

  // Pulls the grants proving `pairings`, lets `choose` pick what to import (and under which name), imports it.
  private async pullAndImport(
    relayUrl: string,
    pairings: readonly Pairing[],
    choose: (pulled: PulledGrants) => Readonly<{ pulled: PulledGrants; name?: string }>,
  ): Promise<Result<Received, ReceiveFailure>> {
    const valid = checkSyncSettings({ relayUrl, enabled: true });
    if (!valid.ok) return fail('receive-failed', valid.error.message);
    try {
      const { connect, verify, clock } = this.ports;
      const pulled = await this.session.pullKeyGrants({
        relayUrl: valid.value.relayUrl,
        connect,
        verify,
        clock,
        pairings,
      });
      if (!pulled.ok) return fail('receive-failed', describeOneShotFailure(pulled.error));
      const chosen = choose(pulled.value);
      const start = (vaultId: string) => this.serial(vaultId, () => this.launch(vaultId));
      return await importReceived({ session: this.session, settings: valid.value, start, ...chosen });
    } catch (error) {
      return fail('receive-failed', describeSyncFailure(error));
    }
  }

  // One settings change / start / stop at a time per vault.
  private serial<T>(vaultId: string, task: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(vaultId) ?? Promise.resolve()).then(task, task);
    this.queues.set(
      vaultId,
      run.catch(() => undefined),
    );
    return run;
  }

  private deviceSigner(): Promise<DeviceSigner> {
    this.signer ??= this.session.deviceSigner();
    return this.signer;
  }

  private async launch(vaultId: string): Promise<void> {
    if (this.stopped || this.running.has(vaultId)) return;
    const opened = await this.session.syncState(vaultId);
    let settings = DEFAULT_SYNC_SETTINGS;
    if (!opened.ok) return this.showError(vaultId, settings, opened.error.message);
    const state = opened.value;
    try {
      settings = await state.settings();
      if (!settings.enabled) {
        state.wipe();
        return this.onChange(vaultId, { settings, indicator: { kind: 'off' } });
      }
      const device = await this.deviceSigner();
      if (!(await state.hasCursor())) await state.initialize([await createGenesisRecord(vaultId, device)]);
      const opening = await this.session.openVault(vaultId);
      if (!opening.ok) {
        state.wipe();
        return this.showError(vaultId, settings, opening.error.message);
      }
      const vault = opening.value;
      let replica: JudgeReplica | null = null;
      const engine = createSyncEngine({
        doc: vault.doc,
        vaultId,
        vaultKey: state.vaultKey,
        device,
        boxKeys: this.session.boxKeys(),
        verify: this.ports.verify,
        relayUrl: settings.relayUrl,
        ...(settings.fallbackRelayUrls?.length ? { fallbackRelayUrls: settings.fallbackRelayUrls } : {}),
        connect: this.ports.connect,
        random: this.ports.random,
        clock: this.ports.clock,
        storage: state.storage,
        clients: vault.clients,
        judge: judgeVaultChange,
        replica: (replica = this.ports.replica?.(vaultId) ?? createReplica(vaultId, judgeVaultChange)),
        onRefused: (change) => this.onRefused(vaultId, change),
        ...(this.ports.retry ? { retry: this.ports.retry } : {}),
      });
      await engine.start();
      const detach = this.watch(vaultId, settings, engine, vault);
      this.running.set(vaultId, { engine, state, detach, doc: vault.doc, replica });
      if (this.stopped) return await this.halt(vaultId);
      for (const listener of this.startedListeners) listener(vaultId, engine);
    } catch (error) {
      state.wipe();
      this.showError(vaultId, settings, describeSyncFailure(error));
    }
  }

  private showError(vaultId: string, settings: SyncSettings, message: string): void {
    this.onChange(vaultId, { settings, indicator: { kind: 'error', message } });
  }

  // Reports the engine's status, and its pending count after local edits (offline edits change the count
  // without changing the status).
  private watch(vaultId: string, settings: SyncSettings, engine: SyncEngine, vault: OpenVault): () => void {
    const report = (status: SyncStatus = engine.status()) =>
      this.onChange(vaultId, { settings, indicator: toIndicator(status, engine.pendingCount()) });
    const offStatus = engine.onStatus(report);
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin === engine.origin) return;
      report();
      void engine.flush().then(() => report());
    };
    vault.doc.on('update', onUpdate);
    report();
    return () => {
      offStatus();
      vault.doc.off('update', onUpdate);
    };
  }

  private async halt(vaultId: string): Promise<void> {
    const running = this.running.get(vaultId);
    if (!running) return;
    this.running.delete(vaultId);
    running.detach();
    try {
      await running.engine.stop();
    } finally {
      running.state.wipe();
      running.replica?.dispose();
    }
  }
}
