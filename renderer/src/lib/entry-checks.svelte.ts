import type { Entry, LastCheck } from '../../../shared/entries';
import type { Result } from '../../../shared/result';
import type { TokenExpiry } from '../../../shared/registry/token-expiry';
import { LoginChecks } from './login-check.svelte';
import { isSameCredential, toLastCheck } from './login-check-display';
import { noteEntryUse } from './insights/entry-use-events';

/** What row checks need from the vault view: the entries as they are now, and where results go. */
export type CheckStore = Readonly<{
  byId: (id: string) => Entry | undefined;
  saveCheck: (id: string, check: LastCheck) => Result<void>;
  /** Fills Expires "from the token" when a passed check learned it (GitHub's header); optional for tests. */
  saveTokenExpiry?: (id: string, expiry: TokenExpiry) => void;
}>;

/**
 * "Test login" on the list rows: runs the check, stores its verdict on the entry and opens the
 * failure's detail. Kept by id, not in the rows, because the virtual list reuses row components.
 */
export class EntryChecks {
  readonly runner = new LoginChecks();
  /** The entry whose failure detail (message and hint) is open; one at a time, like any popover. */
  detail = $state<string | null>(null);
  /** The entry whose check passed last, for the row's live region. */
  private passed = $state<string | null>(null);

  constructor(
    private readonly store: CheckStore,
    private readonly now: () => number = () => Date.now(),
  ) {}

  isRunning(id: string): boolean {
    return this.runner.running.has(id);
  }

  /** What the row announces to screen readers once its check is done (a failure is an alert of its own). */
  announcement(id: string): string {
    return this.passed === id ? 'Login OK' : '';
  }

  async test(entry: Entry): Promise<void> {
    if (this.isRunning(entry.id)) return;
    if (this.passed === entry.id) this.passed = null;
    const result = await this.runner.checkEntry(entry);
    // Edited here or by sync while the check ran: the verdict is about a credential that is gone.
    const current = this.store.byId(entry.id);
    if (current === undefined || !isSameCredential(current, entry)) return;
    if (!this.store.saveCheck(entry.id, toLastCheck(result, this.now())).ok) return;
    if (result.ok) {
      noteEntryUse(entry.id, 'login-check');
      if (result.expiry !== undefined) this.store.saveTokenExpiry?.(entry.id, result.expiry);
      this.passed = entry.id;
      this.setDetail(entry.id, false);
    } else {
      this.detail = entry.id;
    }
  }

  /** Follows the detail popover as the user opens or dismisses it. */
  setDetail(id: string, open: boolean): void {
    if (open) this.detail = id;
    else if (this.detail === id) this.detail = null;
  }

  /** Forgets what is open (vault switched or closed); checks still running find their entry gone. */
  reset(): void {
    this.detail = null;
    this.passed = null;
  }
}
