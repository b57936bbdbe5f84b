import { encodeBase64 } from '../../../shared/crypto/bytes';
import {
  addEntry,
  deleteEntry,
  editEntry,
  needsRotation,
  recordCheck,
  resolveConflict,
  resolveSecretConflict,
  searchIndex,
  watchEntries,
  type Entry,
  type EntryContext,
  type EntryFailure,
  type EntryList,
  type EntryResult,
  type EntryPatch,
  type LastCheck,
  type NewEntryInput,
  type SearchIndex,
  type SearchResult,
} from '../../../shared/entries';
import { watchActivity, type ActivityItem } from '../../../shared/entries/activity';
import { nameActor } from './activity-display';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
import type { VaultFailure } from '../../../shared/crypto/errors';
import type { TokenExpiry } from '../../../shared/registry/token-expiry';
import { DockerComparison } from './docker-compare.svelte';
import { EntryChecks } from './entry-checks.svelte';
import type { EntryInsights } from './insights/entry-insights.svelte';
import { SecretActions } from './secret-actions.svelte';
import { describeError } from './describe-error';
import type { OpenVault, UnlockedProfile, VaultSummary } from './vault-db';
import type { SyncManager } from './sync/sync-manager.svelte';
import { refusalFor, rightsOf, type GuardedAction, type Rights } from '../../../shared/team/roles';
import { writeVaultName } from '../../../shared/team/people';

const emptyList: EntryList = { entries: [], damaged: [], conflicts: [], secretConflicts: [] };
const emptyIndex: SearchIndex = { entries: [], haystacks: [] };

/** The outcome of saving an entry: the entry, or the model's failure (with field errors) or `locked`. */
export type SaveResult = Result<Entry, EntryFailure | Failure<'locked' | 'not-permitted'>>;

/** Whether the open vault's changes are on disk: nothing changed yet, being written, written, or failed. */
export type SaveState = Readonly<{ kind: 'idle' | 'saving' | 'saved' }> | Readonly<{ kind: 'failed'; message: string }>;

/** Why a vault could not be created, renamed or deleted: the store's failure, or an unexpected one described. */
export type VaultOpFailure = VaultFailure | Failure<'unexpected'>;

/** How often the status badges are re-evaluated against the clock. */
export const CLOCK_TICK_MS = 60_000;

/** What deleting a vault needs of sync: stopping the vault's engine before its data goes. */
export type SyncStopper = Pick<SyncManager, 'forget'> & Partial<Pick<SyncManager, 'team'>>;

/** How this device writes entries: the clock, random ids, and its signing key as the actor ("Changed by"). */
export function sessionEntryContext(
  session: Pick<UnlockedProfile, 'identity'> & Partial<Pick<UnlockedProfile, 'settings'>>,
): EntryContext {
  const actor = encodeBase64(session.identity.signing);
  return {
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    actor,
    // Read at each change: the profile's limit of previous secrets kept (Settings).
    get historyLimit() {
      return session.settings?.historyLimit;
    },
  };
}

/**
 * The open vault's state: the vault list, the open vault's entries (kept decoded from its Yjs
 * document, one changed entry at a time), the search and the entry operations. One per unlocked session,
 * owned by `AppState`: the Vaults and Docker config screens show the same one. Components call
 * these methods and compute nothing themselves.
 */
export class VaultView {
  vaults = $state.raw<readonly VaultSummary[]>([]);
  currentId = $state<string | null>(null);
  list = $state.raw<EntryList>(emptyList);
  query = $state('');
  error = $state<string | null>(null);
  loading = $state(false);
  /** False until the vault list was read once. */
  ready = $state(false);
  private index = $state.raw<SearchIndex>(emptyIndex);
  // The last search, not reactive: the next keystroke narrows it instead of scanning every entry again.
  private lastSearch: SearchResult | undefined;
  private search = $derived.by(() => (this.lastSearch = searchIndex(this.index, this.query, this.lastSearch)));
  /** The "Needs rotation" filter: only entries flagged "Rotation recommended" or due for rotation. */
  needsRotation = $state(false);
  /** The "Reused" filter: only entries whose secret is also in another vault. */
  reusedOnly = $state(false);
  /** The list order: by name, or most recently used on this device first. */
  order = $state<'name' | 'last-used'>('name');
  /** Reuse and last use, set by the session (AppState); null on its own (tests of the view alone). */
  insights = $state.raw<EntryInsights | null>(null);
  /** The entries matching the search (and the filters), in list order. */
  visible = $derived.by(() => {
    let entries = this.search.entries;
    if (this.needsRotation) entries = entries.filter((e) => needsRotation(e, this.now));
    const insights = this.insights;
    const vaultId = this.currentId;
    if (this.reusedOnly && insights && vaultId !== null)
      entries = entries.filter((e) => insights.reuse.isReused(vaultId, e.id));
    if (this.order === 'last-used' && insights)
      entries = [...entries].sort((a, b) => insights.activeAt(b) - insights.activeAt(a));
    return entries;
  });
  searching = $derived(this.query.trim() !== '' || this.needsRotation || this.reusedOnly);
  /** The time status badges are computed against; ticks while `startClock` runs. */
  now = $state(Date.now());
  save = $state<SaveState>({ kind: 'idle' });
  /** Revealed rows and the clipboard notice; reset whenever the open vault changes. */
  readonly secrets = new SecretActions();
  /** "Test login" on the rows: which checks run, and which failure's detail is open. */
  readonly checks = new EntryChecks(this);
  /** Which entries Docker's config.json holds, for the list's badges and the Docker config screen. */
  readonly docker = new DockerComparison(() => this.list.entries);
  private open: OpenVault | null = null;
  private writing = 0;
  private listReads = 0;
  private unobserve: (() => void) | null = null;

  constructor(
    /** The unlocked session this view reads its vaults from. */
    readonly session: UnlockedProfile,
    private readonly sync: SyncStopper | null = null,
    // The actor is this device's signing key, as its envelopes are signed: peers refuse a change whose
    // createdBy/updatedBy names anyone else (shared/entries/change-judge.ts).
    private readonly ctx: EntryContext = sessionEntryContext(session),
  ) {}

  get current(): VaultSummary | undefined {
    return this.vaults.find((v) => v.id === this.currentId);
  }

  async load(): Promise<void> {
    try {
      if (!(await this.refreshVaults()).ok) return;
      const first = this.vaults.find((v) => v.problem === null);
      if (first) await this.switchTo(first.id);
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.ready = true;
    }
  }

  /** Reads the vault list again; a failure is also shown in `error`. */
  async refreshVaults(): Promise<Result<void, VaultFailure>> {
    // Reads can finish out of order (a received vault's list, then its shared name): only the latest
    // read is shown, or an older list could put back a name the vault no longer has.
    const read = ++this.listReads;
    const listed = await this.session.listVaults();
    if (read !== this.listReads) return ok(undefined);
    if (!listed.ok) {
      this.error = listed.error.message;
      return listed;
    }
    this.vaults = listed.value;
    return ok(undefined);
  }

  async switchTo(id: string): Promise<void> {
    this.close();
    this.currentId = id;
    this.query = '';
    this.needsRotation = false;
    this.reusedOnly = false;
    this.loading = true;
    try {
      const opened = await this.session.openVault(id);
      if (this.currentId !== id) return;
      if (!opened.ok) {
        this.error = opened.error.message;
        return;
      }
      const vault = opened.value;
      this.open = vault;
      this.unobserve = watchEntries(vault.doc, ({ list, index }) => {
        this.list = list;
        this.index = index;
      });
      this.error = null;
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.loading = false;
    }
  }

  close(): void {
    this.secrets.reset();
    this.checks.reset();
    this.docker.clear();
    this.save = { kind: 'idle' };
    this.unobserve?.();
    this.unobserve = null;
    this.open = null;
    this.list = emptyList;
    this.index = emptyIndex;
  }

  /** Members' names by device key (from the vault's name cards), for "Changed by" and Activity. */
  readonly names = $derived.by((): Readonly<Record<string, string>> => {
    const roster = this.currentId === null ? undefined : this.sync?.team?.rosters[this.currentId];
    return roster ? Object.fromEntries([...roster.people].map(([key, card]) => [key, card.name])) : {};
  });

  /** Names the author of a change: "You", a member's name, or what is known of the key. */
  nameOf(actor: string): string {
    return nameActor(actor, this.ctx.actor, this.names);
  }

  /**
   * Calls `listener` with the open vault's activity list (newest first) now and on every change; returns
   * the unsubscribe function. Read only while someone looks: the list grows with the vault's history.
   */
  watchActivity(listener: (items: readonly ActivityItem[]) => void): () => void {
    const doc = this.open?.doc;
    if (doc) return watchActivity(doc, listener);
    listener([]);
    return () => undefined;
  }

  add(input: NewEntryInput): SaveResult {
    return this.mutate((doc) => addEntry(doc, input, this.ctx), 'add');
  }

  edit(id: string, patch: EntryPatch): SaveResult {
    const before = this.byId(id);
    const result = this.mutate((doc) => editEntry(doc, id, patch, this.ctx), 'edit');
    // "Test authentication after credential rotation": a new secret of an entry that was checked before is checked again.
    if (result.ok && before?.lastCheck !== undefined && result.value.secretUpdatedAt !== before.secretUpdatedAt) {
      void this.checks.test(result.value);
    }
    return result;
  }

  remove(id: string): Result<void> {
    return this.mutate((doc) => deleteEntry(doc, id, this.ctx), 'delete');
  }

  saveCheck(id: string, check: LastCheck): Result<void> {
    // A Viewer's device writes nothing into a team vault: its check result stays on screen only.
    if (!this.rights().write) return ok(undefined);
    return this.mutate((doc) => recordCheck(doc, id, check, this.ctx), 'edit');
  }

  /**
   * A date the token itself carries fills Expires, marked "from the token", unless the user set one: an edit of the
   * entry (it syncs), made only where this device may write.
   */
  saveTokenExpiry(id: string, expiry: TokenExpiry): void {
    const entry = this.byId(id);
    const userSet = entry?.expiresAt !== undefined && entry.expiresFrom === undefined;
    if (entry === undefined || userSet || !this.rights().write) return;
    if (entry.expiresAt === expiry.at && entry.expiresFrom === expiry.from) return;
    this.edit(id, { expiresAt: expiry.at, expiresFrom: expiry.from });
  }

  keepOne(keepId: string, dropIds: readonly string[]): Result<void> {
    return this.mutate((doc) => resolveConflict(doc, keepId, dropIds, this.ctx), 'delete');
  }

  /** Keeps one secret version of an entry whose password was changed on two devices. */
  keepSecret(id: string, versionId: string): Result<Entry> {
    return this.mutate((doc) => resolveSecretConflict(doc, id, versionId, this.ctx), 'edit');
  }

  /** What this device may do in the open vault, or in `vaultId` (its verified role in a team vault; everything otherwise). */
  rights(vaultId: string | null = this.currentId): Rights {
    const team = this.sync?.team;
    return team && vaultId !== null ? team.rightsIn(vaultId) : rightsOf('admin');
  }

  /** Re-evaluates status badges every minute; returns the function that stops it. */
  startClock(): () => void {
    const timer = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }

  byId(id: string): Entry | undefined {
    return this.list.entries.find((e) => e.id === id);
  }

  async createVault(name: string): Promise<Result<void, VaultOpFailure>> {
    return this.vaultOp(async () => {
      const created = await this.session.createVault(name);
      if (!created.ok) return created;
      const listed = await this.refreshVaults();
      if (listed.ok) await this.switchTo(created.value.id);
      return listed;
    });
  }

  async renameVault(id: string, name: string): Promise<Result<void, VaultOpFailure>> {
    const refused = id === this.currentId ? refusalFor(this.rights(), 'rename') : null;
    if (refused !== null) return fail('unexpected', refused);
    return this.vaultOp(async () => {
      const renamed = await this.session.renameVault(id, name);
      // The shared name: every member's app takes it as the vault's name (admins only write it).
      if (renamed.ok && this.open && id === this.currentId) writeVaultName(this.open.doc, name.trim());
      return renamed.ok ? this.refreshVaults() : renamed;
    });
  }

  /** Stops the vault's sync (its engine would keep writing into a deleted vault), then deletes it. */
  async deleteVault(id: string): Promise<Result<void, VaultOpFailure>> {
    return this.vaultOp(async () => {
      if (this.currentId === id) this.close();
      await this.sync?.forget(id);
      const deleted = await this.session.deleteVault(id);
      if (!deleted.ok) return deleted;
      const listed = await this.refreshVaults();
      const next = this.vaults.find((v) => v.problem === null);
      this.currentId = null;
      if (next) await this.switchTo(next.id);
      return listed;
    });
  }

  // Store failures come back as data; anything else thrown (IndexedDB itself failing) is described too.
  private async vaultOp(task: () => Promise<Result<void, VaultFailure>>): Promise<Result<void, VaultOpFailure>> {
    try {
      return await task();
    } catch (error) {
      return fail('unexpected', describeError(error));
    }
  }

  private mutate<T>(
    change: (doc: OpenVault['doc']) => EntryResult<T>,
    action: GuardedAction,
  ): Result<T, EntryFailure | Failure<'locked' | 'not-permitted'>> {
    const vault = this.open;
    if (!vault) return fail('locked', 'Open a vault first.');
    const refused = refusalFor(this.rights(), action);
    if (refused !== null) return fail('not-permitted', refused);
    this.now = Date.now();
    const result = change(vault.doc);
    if (result.ok) void this.persist(vault);
    return result;
  }

  /** Waits for the sealed update to reach IndexedDB, so the screen can say when a change is safe. */
  private async persist(vault: OpenVault): Promise<void> {
    this.writing++;
    this.save = { kind: 'saving' };
    try {
      await vault.flush();
      if (--this.writing === 0 && this.open === vault) this.save = { kind: 'saved' };
    } catch (error) {
      this.writing--;
      if (this.open === vault) this.save = { kind: 'failed', message: describeError(error) };
    }
  }
}
