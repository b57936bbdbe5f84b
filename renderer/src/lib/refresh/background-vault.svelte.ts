import {
  editEntry,
  recordCheck,
  watchEntries,
  type Entry,
  type EntryContext,
  type EntryFailure,
  type EntryPatch,
  type EntryResult,
  type LastCheck,
} from '../../../../shared/entries';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { refusalFor, type GuardedAction, type Rights } from '../../../../shared/team/roles';
import { EntryChecks } from '../entry-checks.svelte';
import type { OpenVault } from '../vault-db';
import type { SaveResult } from '../vault-view.svelte';

/**
 * A vault of the unlocked profile that is not on screen, read so that its tokens are refreshed and its
 * reminders counted (issue #17). Its entries are kept decoded from its own document; an edit goes into that
 * document as the open vault's edits do (same transitions, same actor, so it syncs with "Changed by" and an
 * Activity item) and never into the open vault's.
 */
export class BackgroundVault {
  entries = $state.raw<readonly Entry[]>([]);
  /** Login checks of this vault's entries; their verdicts are saved in this vault. */
  readonly checks: EntryChecks;
  private readonly unwatch: () => void;

  constructor(
    private readonly vault: OpenVault,
    private readonly ctx: EntryContext,
    private readonly rights: () => Rights,
  ) {
    this.checks = new EntryChecks(this);
    this.unwatch = watchEntries(vault.doc, ({ list }) => (this.entries = list.entries));
  }

  /** The vault's id. */
  get id(): string {
    return this.vault.id;
  }

  byId(id: string): Entry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  /** Saves a patch of one entry in this vault, as the open vault's Edit does. */
  edit(id: string, patch: EntryPatch): SaveResult {
    return this.mutate('edit', () => editEntry(this.vault.doc, id, patch, this.ctx));
  }

  /** Stores a login check's verdict (a Viewer's device writes nothing into a team vault). */
  saveCheck(id: string, check: LastCheck): Result<void> {
    if (!this.rights().write) return ok(undefined);
    return this.mutate('edit', () => recordCheck(this.vault.doc, id, check, this.ctx));
  }

  /** Stops following the document (the document itself belongs to the session). */
  stop(): void {
    this.unwatch();
  }

  private mutate<T>(
    action: GuardedAction,
    change: () => EntryResult<T>,
  ): Result<T, EntryFailure | Failure<'not-permitted'>> {
    const refused = refusalFor(this.rights(), action);
    if (refused !== null) return fail('not-permitted', refused);
    // The document seals and stores its own updates; a failed write is listed in the session's problems.
    return change();
  }
}
