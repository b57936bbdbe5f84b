// Removing members and leaving (issue #14), the app's half: an admin removes a person (all their
// devices) or one device in one signed step that also moves the vault to a new key (engine.rotateKey,
// protocol.md §7c), sealed to the remaining devices' box keys from their name cards; then every entry is
// flagged "Rotation recommended — <name> had access" (the flag syncs; it clears when a secret changes).
// A member may leave: its device signs its own removal and the vault is deleted here. A live admin's app
// that sees someone left (engine.pendingRotation) rotates by itself; when two admins do it at once the
// relay takes one, and the other finds nothing left to do.
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { decodeBase64 } from '../../../../shared/crypto/bytes';
import { recordMemberActivity } from '../../../../shared/entries/activity';
import { getEntriesMap } from '../../../../shared/entries/entry-doc';
import { flagRotation } from '../../../../shared/entries/entry-flags';
import type { EntryContext } from '../../../../shared/entries/entry';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { SyncEngine } from '../../../../shared/sync/engine';
import type { Clock } from '../../../../shared/sync/ports';
import { readPeople, recipientsOf } from '../../../../shared/team/people';
import type * as Y from 'yjs';
import type { UnlockedProfile } from '../vault-db';
import type { SyncHub } from '../sync/sync-hub';
import { describeOneShotFailure } from '../sync/sync-status';
import { describeHadAccess, describeRotationOutcome, describeUnreached, namePeople } from './removal-words';
import type { TeamState } from './team-state.svelte';

/** Why a removal or leaving failed, in words that say what to do. */
export type RemovalFailure = Failure<'removal-failed' | 'leave-failed'>;

/** What a removal did: the new epoch, how many entries were flagged, devices left without the new key. */
export type RemovalOutcome = Readonly<{ epoch: number; flagged: number; unreached: number; message: string }>;

/** How a removed device learns it: who removed it (a device key), or that it left. */
export type Removal = Readonly<{ by: string; left: boolean }>;

// Automatic rotations give up after this many failures in a row (until the member log changes again).
const MAX_AUTO_TRIES = 3;

/** Removal, leaving and the automatic rotation after someone left; one per session, owned by the SyncManager. */
export class MemberRemoval {
  /** Per vault: what the last rotation this app made by itself did (e.g. devices it could not reach). */
  notices = $state.raw<Readonly<Record<string, string>>>({});
  /** Told after leaving: the vault is gone from the list, so this lives outside it. */
  left = $state<string | null>(null);
  private readonly rotating = new SvelteSet<string>();
  private readonly failures = new SvelteMap<string, number>();
  private stopped = false;

  constructor(
    private readonly session: UnlockedProfile,
    private readonly hub: SyncHub,
    private readonly team: TeamState,
    private readonly clock: Clock,
  ) {
    hub.onStarted((vaultId, engine) => this.watch(vaultId, engine));
  }

  /** Removes every device of a person (admins; not yourself: leave instead). */
  removePerson(vaultId: string, keys: readonly string[]): Promise<Result<RemovalOutcome, RemovalFailure>> {
    return this.remove(vaultId, keys);
  }

  /** Removes one device (a lost laptop), yours or another member's, but not this one. */
  removeDevice(vaultId: string, key: string): Promise<Result<RemovalOutcome, RemovalFailure>> {
    return this.remove(vaultId, [key]);
  }

  /** This device leaves the vault: signs its own removal, then deletes the vault here with `forget`. */
  async leaveVault(
    vaultId: string,
    vaultName: string,
    forget: (vaultId: string) => Promise<Result<void, Failure>>,
  ): Promise<Result<void, RemovalFailure>> {
    const engine = this.hub.engineOf(vaultId);
    if (!engine) return fail('leave-failed', 'Turn on sync for this vault first: leaving goes through its relay.');
    const admins = engine.members().filter((m) => m.role === 'admin');
    if (admins.length === 1 && admins[0]?.publicKey === this.team.me && engine.members().length > 1) {
      return fail('leave-failed', 'You are the only admin: make another member an admin first, then leave.');
    }
    const left = await engine.leave();
    if (!left.ok) return fail('leave-failed', describeOneShotFailure(left.error));
    const deleted = await forget(vaultId);
    if (!deleted.ok) {
      return fail(
        'leave-failed',
        `You left '${vaultName}', but it could not be deleted from this device: ${deleted.error.message} Delete it with "Delete vault".`,
      );
    }
    this.left = `You left '${vaultName}': it was deleted from this device. Its admins change the vault key.`;
    return ok(undefined);
  }

  /** How this device was removed from a vault (null while it is a member, or before its member log is known). */
  removalIn(vaultId: string): Removal | null {
    const members = this.team.rosters[vaultId]?.members ?? [];
    if (members.length === 0 || members.some((m) => m.publicKey === this.team.me)) return null;
    const event = [...this.hub.memberEvents(vaultId)]
      .reverse()
      .find((e) => e.action === 'remove' && e.subject === this.team.me);
    return event ? { by: event.signer, left: event.signer === this.team.me } : null;
  }

  stop(): void {
    this.stopped = true;
  }

  private async remove(vaultId: string, keys: readonly string[]): Promise<Result<RemovalOutcome, RemovalFailure>> {
    if (keys.includes(this.team.me)) return fail('removal-failed', 'To remove this device, choose Leave vault.');
    const engine = this.hub.engineOf(vaultId);
    if (!engine) return fail('removal-failed', 'Turn on sync for this vault first: removing goes through its relay.');
    if (this.rotating.has(vaultId))
      return fail('removal-failed', 'The vault key is being changed: try again in a moment.');
    this.rotating.add(vaultId);
    try {
      return await this.rotate(vaultId, engine, keys);
    } finally {
      this.rotating.delete(vaultId);
    }
  }

  // The signed step, then (if this device's rotate record is the one in the log) the notes and the flags.
  private async rotate(
    vaultId: string,
    engine: SyncEngine,
    keys: readonly string[],
  ): Promise<Result<RemovalOutcome, RemovalFailure>> {
    const opened = await this.session.openVault(vaultId);
    if (!opened.ok) return fail('removal-failed', opened.error.message);
    const doc = opened.value.doc;
    const people = readPeople(doc);
    const names = namePeople([...keys, ...engine.pendingRotation()], people);
    const remaining = engine
      .members()
      .map((m) => m.publicKey)
      .filter((key) => !keys.includes(key) && key !== this.team.me);
    const before = engine.memberEvents().length;
    const rotated = await engine.rotateKey({
      remove: keys.map((key) => decodeBase64(key)),
      recipients: recipientsOf(doc, remaining),
    });
    if (!rotated.ok) return fail('removal-failed', describeOneShotFailure(rotated.error));
    const mine = engine
      .memberEvents()
      .slice(before)
      .filter((event) => event.signer === this.team.me);
    const { epoch, unreached } = rotated.value;
    // Nothing of ours in the log: another admin's step did it (and flagged the entries) first.
    if (!mine.some((event) => event.action === 'rotate')) {
      return ok({ epoch, flagged: 0, unreached: 0, message: 'Another admin already changed the vault key.' });
    }
    const flagged = this.noteAndFlag(
      doc,
      mine.map((event) => event.index),
      describeHadAccess(names),
    );
    const outcome = { flagged, unreached: unreached.length, removed: keys.length > 0 };
    return ok({ epoch, flagged, unreached: unreached.length, message: describeRotationOutcome(names, outcome) });
  }

  // One transaction: Activity notes for the records this admin appended, and the flag on every entry.
  private noteAndFlag(doc: Y.Doc, records: readonly number[], reason: string): number {
    const ctx: EntryContext = { actor: this.team.me, now: () => this.clock.now(), newId: () => crypto.randomUUID() };
    let flagged = 0;
    doc.transact(() => {
      for (const index of records) recordMemberActivity(doc, index, ctx);
      const result = flagRotation(doc, [...getEntriesMap(doc).keys()], reason, ctx);
      if (result.ok) flagged = result.value.flagged.length;
    });
    return flagged;
  }

  // An admin's app rotates by itself once someone left, whenever it is live (the member log or the status changed).
  private watch(vaultId: string, engine: SyncEngine): void {
    const check = () => void this.rotateAfterLeaving(vaultId, engine);
    engine.onMembers(() => {
      this.failures.delete(vaultId);
      check();
    });
    engine.onStatus(check);
    check();
  }

  private async rotateAfterLeaving(vaultId: string, engine: SyncEngine): Promise<void> {
    if (this.stopped || this.rotating.has(vaultId) || engine.pendingRotation().length === 0) return;
    if ((this.failures.get(vaultId) ?? 0) >= MAX_AUTO_TRIES) return;
    const live = engine.status() === 'synced';
    const admin = engine.members().some((m) => m.publicKey === this.team.me && m.role === 'admin');
    if (!live || !admin || this.hub.engineOf(vaultId) !== engine) return;
    this.rotating.add(vaultId);
    try {
      const rotated = await this.rotate(vaultId, engine, []);
      // Quietly: a failure is retried when the log or the connection changes; two admins racing is fine.
      if (!rotated.ok) this.failures.set(vaultId, (this.failures.get(vaultId) ?? 0) + 1);
      else if (rotated.value.unreached > 0)
        this.notices = { ...this.notices, [vaultId]: describeUnreached(rotated.value.unreached) };
    } finally {
      this.rotating.delete(vaultId);
    }
  }
}
