import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { Entry, EntryPatch } from '../../../../shared/entries';
import { fail } from '../../../../shared/result';
import type { EntryChecks } from '../entry-checks.svelte';
import type { UnlockedProfile } from '../vault-db';
import { sessionEntryContext, type SaveResult, type VaultView } from '../vault-view.svelte';
import { BackgroundVault } from './background-vault.svelte';

/** One vault's entries, as the refresh schedule and the reminders see them. */
export type VaultEntries = Readonly<{ vaultId: string; entries: readonly Entry[] }>;

/** What reading the other vaults needs of the session: their documents, and this device's identity. */
export type VaultOpener = Pick<UnlockedProfile, 'openVault' | 'identity'>;

/**
 * Every vault of the unlocked profile, for the refresh schedule, the reminders and the attention count
 * (issue #17): the open vault as the view shows it, and each other vault read in the background, one after
 * another once the first screen is up, and followed as its document changes (edits, sync). Edits of an entry
 * go to its own vault: the open vault through the view, any other through its own document.
 */
export class ProfileEntries {
  private readonly others = new SvelteMap<string, BackgroundVault>();
  private readonly queue: string[] = [];
  private wanted: readonly string[] = [];
  private draining = false;
  private stopped = false;

  /** Every readable vault's entries; a vault not read yet is missing until it is. */
  readonly all: readonly VaultEntries[] = $derived.by(() => this.collect());

  constructor(
    private readonly session: VaultOpener,
    private readonly view: VaultView,
  ) {}

  /** Follows the vault list (vaults added, deleted, switched); returns the function that stops reading. */
  start(): () => void {
    this.stopped = false;
    const stop = $effect.root(() => {
      $effect(() => {
        const ids = this.view.vaults.filter((v) => v.problem === null).map((v) => v.id);
        const current = this.view.currentId;
        untrack(() => this.follow(ids, current));
      });
    });
    return () => {
      this.stopped = true;
      stop();
      this.queue.length = 0;
      for (const vault of this.others.values()) vault.stop();
      this.others.clear();
    };
  }

  /** An entry of a vault, as it is now. */
  byId(vaultId: string, entryId: string): Entry | undefined {
    return this.shown(vaultId, entryId) ?? this.others.get(vaultId)?.byId(entryId);
  }

  /** Saves a patch of an entry in its vault: the open vault's Edit, or the same edit of another vault's document. */
  edit(vaultId: string, entryId: string, patch: EntryPatch): SaveResult {
    if (this.shown(vaultId, entryId)) return this.view.edit(entryId, patch);
    const other = this.others.get(vaultId);
    return other ? other.edit(entryId, patch) : fail('locked', 'The vault is not open.');
  }

  /** Where a vault's login checks run and store their verdicts. */
  checksOf(vaultId: string): EntryChecks | undefined {
    return vaultId === this.view.currentId ? this.view.checks : this.others.get(vaultId)?.checks;
  }

  // The entry as the open vault's view holds it (undefined while another vault, or none, is open).
  private shown(vaultId: string, entryId: string): Entry | undefined {
    return vaultId === this.view.currentId ? this.view.byId(entryId) : undefined;
  }

  private collect(): VaultEntries[] {
    const current = this.view.currentId;
    return this.view.vaults.flatMap(({ id, problem }) => {
      if (problem !== null) return [];
      // The open vault's entries as the view holds them (the same document); while it is still opening, as read here.
      const viewed = id === current && !this.view.loading ? this.view.list.entries : undefined;
      const entries = viewed ?? this.others.get(id)?.entries;
      return entries ? [{ vaultId: id, entries }] : [];
    });
  }

  private follow(ids: readonly string[], current: string | null): void {
    for (const [id, vault] of this.others) {
      if (ids.includes(id)) continue;
      vault.stop();
      this.others.delete(id);
    }
    // The open vault is read by the view; it is read here too only once another vault is opened instead.
    for (const id of ids) if (id !== current && !this.others.has(id) && !this.queue.includes(id)) this.queue.push(id);
    this.wanted = ids;
    void this.drain();
  }

  /** Reads the queued vaults one at a time (a synced vault's document is open already: only its entries are decoded). */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let id = this.queue.shift(); id !== undefined && !this.stopped; id = this.queue.shift()) {
        // IndexedDB itself failing is not this vault's problem to show here: the vault list shows its state.
        const opened = await this.session.openVault(id).catch(() => null);
        if (this.stopped || !opened?.ok || this.others.has(id) || !this.wanted.includes(id)) continue;
        const ctx = sessionEntryContext(this.session);
        this.others.set(id, new BackgroundVault(opened.value, ctx, () => this.view.rights(id)));
      }
    } finally {
      this.draining = false;
    }
  }
}
