// Who is in each synced vault, as this session sees it: the verified member log's roles (from the
// running engines) and the name cards of the vault's document. Writes this device's own name card
// when a vault's sync starts and when the name changes (only where its role may write: a Viewer's
// device writes nothing — its card comes from the admin who added it), keeps the vault's shared
// name and the local name in step, and changes roles (admins).
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type * as Y from 'yjs';
import { encodeBase64, decodeBase64 } from '../../../../shared/crypto/bytes';
import type { SyncEngine } from '../../../../shared/sync/engine';
import type { Clock } from '../../../../shared/sync/ports';
import type { Role } from '../../../../shared/sync/wire-records';
import {
  ensureOwnCard,
  readPeople,
  readVaultName,
  writeCard,
  writeVaultName,
  type PersonCard,
} from '../../../../shared/team/people';
import { decodePairingCode } from '../../../../shared/sync/pairing';
import { rightsOf, type Rights } from '../../../../shared/team/roles';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { UnlockedProfile } from '../vault-db';
import type { SyncHub } from '../sync/sync-hub';

/**
 * One vault's members as verified, and its name cards. `left`: devices that left (or were removed) since
 * the last key rotation — they still hold the current key until an admin changes it.
 */
export type Roster = Readonly<{
  members: readonly Readonly<{ publicKey: string; role: Role }>[];
  people: ReadonlyMap<string, PersonCard>;
  left: readonly string[];
}>;

/** Why a role change failed. */
export type RoleChangeFailure = Failure<'role-change-failed'>;

type Watched = { doc: Y.Doc; stop: () => void };

/** The session's view of every synced vault's members; owned by the SyncManager. */
export class TeamState {
  rosters = $state.raw<Readonly<Record<string, Roster>>>({});
  /** This device's signing key (base64): its id in every member list and name card. */
  readonly me: string;
  private readonly watched = new SvelteMap<string, Watched>();
  private readonly renamed = new SvelteSet<(vaultId: string) => void>();
  private stopped = false;

  constructor(
    private readonly session: UnlockedProfile,
    private readonly hub: SyncHub,
    private readonly clock: Clock,
  ) {
    this.me = encodeBase64(session.identity.signing);
    hub.onStarted((vaultId, engine) => void this.attach(vaultId, engine));
  }

  /**
   * What this device may do in a vault: its verified role, everything in a vault only it uses (no roster),
   * and nothing more than reading once it was removed (a roster without it).
   */
  rightsIn(vaultId: string): Rights {
    const members = this.rosters[vaultId]?.members ?? [];
    const role = members.find((m) => m.publicKey === this.me)?.role;
    return rightsOf(role ?? (members.length > 0 ? 'reader' : 'admin'));
  }

  /** Calls `listener` when a vault arrived or its local name became the shared one; returns the unsubscribe. */
  onVaultsChanged(listener: (vaultId: string) => void): () => void {
    this.renamed.add(listener);
    return () => this.renamed.delete(listener);
  }

  /** Tells the listeners a vault arrived or was renamed here. */
  vaultsChanged(vaultId: string): void {
    for (const listener of this.renamed) listener(vaultId);
  }

  /** Gives a member device another role (this device must be an admin, online). */
  async changeRole(vaultId: string, publicKey: string, role: Role): Promise<Result<void, RoleChangeFailure>> {
    const changed = await this.hub.changeRole(vaultId, decodeBase64(publicKey), role);
    if (!changed.ok) return fail('role-change-failed', changed.error.message);
    const engine = this.hub.engineOf(vaultId);
    if (engine) this.refresh(vaultId, engine);
    return ok(undefined);
  }

  /** Writes this device's card again in every synced vault (after "Your name" changed). */
  refreshCards(): void {
    for (const [vaultId, watched] of this.watched) {
      const engine = this.hub.engineOf(vaultId);
      if (engine) this.writeOwn(vaultId, watched.doc, engine);
    }
  }

  /** After linking one's own device by its pairing code: its card carries this person's name and id. */
  nameLinkedDevice(vaultId: string, code: string): void {
    const invite = decodePairingCode(code, this.clock.now());
    const doc = this.docOf(vaultId);
    const { name, person } = this.session.settings;
    if (typeof invite === 'string' || !doc || !name || !person || !this.rightsIn(vaultId).admin) return;
    const card = { name, person, since: this.clock.now(), addedBy: this.me, box: encodeBase64(invite.identity.box) };
    writeCard(doc, encodeBase64(invite.identity.signing), card);
  }

  /** A vault's shared document, once its sync started (to write an invitee's card). */
  docOf(vaultId: string): Y.Doc | undefined {
    return this.watched.get(vaultId)?.doc;
  }

  stop(): void {
    this.stopped = true;
    for (const watched of this.watched.values()) watched.stop();
    this.watched.clear();
  }

  private async attach(vaultId: string, engine: SyncEngine): Promise<void> {
    const opened = await this.session.openVault(vaultId);
    if (!opened.ok || this.stopped) return;
    const doc = opened.value.doc;
    this.watched.get(vaultId)?.stop();
    const onUpdate = () => {
      this.refresh(vaultId, engine);
      void this.adoptName(vaultId, doc);
    };
    doc.on('update', onUpdate);
    // Rights are known only once the engine verified the member log (at start it may not have): the card
    // and an admin's shared vault name are written again when the log changes (each only if missing).
    const offMembers = engine.onMembers(() => {
      this.refresh(vaultId, engine);
      this.writeOwn(vaultId, doc, engine);
    });
    this.watched.set(vaultId, {
      doc,
      stop: () => {
        doc.off('update', onUpdate);
        offMembers();
      },
    });
    this.refresh(vaultId, engine);
    this.writeOwn(vaultId, doc, engine);
    await this.adoptName(vaultId, doc);
  }

  // This device's card, and the vault's shared name when none was written yet — by the device that created
  // the vault only: a device that received it holds a placeholder name ("Linked vault") and, before it
  // caught up, no shared name either; writing its own would race the creator's and could win.
  private writeOwn(vaultId: string, doc: Y.Doc, engine: SyncEngine): void {
    const rights = this.rightsIn(vaultId);
    const { name, person } = this.session.settings;
    const box = encodeBase64(this.session.identity.exchange);
    if (rights.write && name && person)
      ensureOwnCard(doc, this.me, { name, person, box }, this.clock.now(), rights.admin);
    const creator = engine.memberEvents()[0]?.signer === this.me;
    if (creator && rights.admin && readVaultName(doc) === undefined) {
      const local = this.localName(vaultId);
      void local.then((value) => value && writeVaultName(doc, value));
    }
    this.refresh(vaultId, engine);
  }

  private async localName(vaultId: string): Promise<string | undefined> {
    const listed = await this.session.listVaults();
    return listed.ok ? (listed.value.find((v) => v.id === vaultId)?.name ?? undefined) : undefined;
  }

  // A vault's shared name becomes its local name (a received vault, or an admin's rename elsewhere).
  private async adoptName(vaultId: string, doc: Y.Doc): Promise<void> {
    const shared = readVaultName(doc);
    if (shared === undefined || shared === (await this.localName(vaultId))) return;
    const renamed = await this.session.renameVault(vaultId, shared);
    if (renamed.ok) this.vaultsChanged(vaultId);
  }

  private refresh(vaultId: string, engine: SyncEngine): void {
    const doc = this.watched.get(vaultId)?.doc;
    const members = engine.members();
    const before = this.rosters[vaultId];
    const people = doc ? readPeople(doc) : new SvelteMap<string, PersonCard>();
    const left = engine.pendingRotation();
    const same = before && sameMembers(before.members, members) && samePeople(before.people, people);
    if (same && before.left.join() === left.join()) return;
    this.rosters = { ...this.rosters, [vaultId]: { members, people, left } };
  }
}

function sameMembers(a: Roster['members'], b: Roster['members']): boolean {
  return a.length === b.length && a.every((m, i) => m.publicKey === b[i]?.publicKey && m.role === b[i]?.role);
}

function samePeople(a: Roster['people'], b: Roster['people']): boolean {
  if (a.size !== b.size) return false;
  for (const [key, card] of a) if (JSON.stringify(card) !== JSON.stringify(b.get(key))) return false;
  return true;
}
