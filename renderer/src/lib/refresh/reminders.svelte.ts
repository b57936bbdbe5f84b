import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { Entry } from '../../../../shared/entries';
import { ok, type Result } from '../../../../shared/result';
import type { VaultFailure } from '../../../../shared/crypto/errors';
import type { VaultView } from '../vault-view.svelte';
import type { ProfileEntries } from './profile-entries.svelte';
import type { SettingsHolder } from './refresh-commands.svelte';
import {
  attentionCount,
  dueReminders,
  nextChangeAt,
  refreshFailedReminder,
  windowTitle,
  type DueReminder,
} from './reminder-rules';
import type { RefreshFailure, TokenRefresher } from './token-refresher.svelte';

// Failures of the command itself are worth a notification; a click on an unapproved command is not.
const NOTIFIED_FAILURES: readonly string[] = ['command-not-found', 'command-failed', 'command-timeout', 'no-token'];

/**
 * Reminders that reach the user (issue #17): desktop notifications through main before a token expires, when
 * a rotation is due and when a refresh fails (each once per credential); the window title and the badge
 * count of entries that need attention; and a notification's click, which opens its entry. All of it covers
 * every vault of the unlocked profile (ProfileEntries), not only the open one.
 */
export class Reminders {
  /** Notifications on or off (this device's sealed settings). */
  enabled = $state(true);
  /** The entry a clicked notification asks to open; the vault screen opens it and clears this. */
  openRequest = $state<string | null>(null);
  private readonly shown = new SvelteSet<string>();
  private lastCount = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly view: VaultView,
    private readonly vaults: ProfileEntries,
    private readonly refresher: TokenRefresher,
    private readonly session: SettingsHolder,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.enabled = session.settings.reminders !== false;
  }

  /** Watches every vault and the clock; returns the function that stops and clears the badge. */
  start(): () => void {
    const stopEffect = $effect.root(() => {
      $effect(() => {
        void this.vaults.all;
        void this.refresher.commands.list;
        void this.enabled;
        untrack(() => this.evaluate());
      });
    });
    const stopFailures = this.refresher.onFailure((entry, failure, vaultId) =>
      this.onRefreshFailed(entry, failure, vaultId),
    );
    const stopOpen = window.regvault.on('reminder:open', (target) => void this.open(target.vaultId, target.entryId));
    // Timers stand still while the machine sleeps: badges and reminders are also looked at every minute.
    const tick = setInterval(() => this.evaluate(), 60_000);
    return () => {
      clearInterval(tick);
      stopEffect();
      stopFailures();
      stopOpen();
      clearTimeout(this.timer);
      this.setCount(0);
    };
  }

  /** Turns notifications on or off on this device. */
  async setEnabled(enabled: boolean): Promise<Result<void, VaultFailure>> {
    const saved = await this.session.updateSettings({ ...this.session.settings, reminders: enabled });
    if (!saved.ok) return saved;
    this.enabled = enabled;
    return ok(undefined);
  }

  private evaluate(): void {
    clearTimeout(this.timer);
    const now = this.now();
    const vaults = this.vaults.all;
    this.setCount(vaults.reduce((sum, { entries }) => sum + attentionCount(entries, now), 0));
    for (const { vaultId, entries } of this.enabled ? vaults : []) {
      const refreshed = (entry: Entry) => this.refresher.dueAt(entry, vaultId) !== undefined;
      for (const reminder of dueReminders(entries, now, refreshed)) this.show(reminder, vaultId);
    }
    const nexts = vaults.map(({ entries }) => nextChangeAt(entries, now) ?? Infinity);
    const next = Math.min(Infinity, ...nexts);
    if (next !== Infinity) this.timer = setTimeout(() => this.evaluate(), Math.min(next - now, 2 ** 31 - 1));
  }

  private onRefreshFailed(entry: Entry, failure: RefreshFailure, vaultId: string): void {
    if (this.enabled && NOTIFIED_FAILURES.includes(failure.code)) {
      this.show(refreshFailedReminder(entry, failure.message, failure.at), vaultId);
    }
  }

  private show(reminder: DueReminder, vaultId: string): void {
    // Keyed by vault too: an entry of another vault with the same id (a crafted one) cannot silence this one.
    const key = `${vaultId}:${reminder.key}`;
    if (this.shown.has(key)) return;
    this.shown.add(key);
    const { title, body, entryId } = reminder;
    void window.regvault.reminder.notify({ title, body, target: { vaultId, entryId } });
  }

  private setCount(count: number): void {
    if (typeof document !== 'undefined') document.title = windowTitle(count);
    if (count === this.lastCount) return;
    this.lastCount = count;
    void window.regvault.reminder.badge({ count });
  }

  private async open(vaultId: string, entryId: string): Promise<void> {
    if (this.view.currentId !== vaultId) await this.view.switchTo(vaultId);
    if (this.view.currentId === vaultId) this.openRequest = entryId;
  }
}
