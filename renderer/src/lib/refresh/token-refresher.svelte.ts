import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { Entry } from '../../../../shared/entries';
import { isApproved, refreshDueAt, type RefreshCommand } from '../../../../shared/refresh/refresh-command';
import { failWith, ok, type Err, type Failure, type Result } from '../../../../shared/result';
import { toCredential } from '../docker-config-display';
import type { VaultView } from '../vault-view.svelte';
import type { ProfileEntries } from './profile-entries.svelte';
import type { RefreshCommands } from './refresh-commands.svelte';
import { noteEntryUse } from '../insights/entry-use-events';
import { readTokenExpiry } from '../../../../shared/registry/token-expiry';

/** Why a refresh did not happen or did not succeed. */
export type RefreshFailureCode =
  | 'no-command'
  | 'not-approved'
  | 'entry-gone'
  | 'save-failed'
  | 'command-not-found'
  | 'command-failed'
  | 'command-timeout'
  | 'no-token'
  | 'unexpected';

/** A failed refresh as the row shows it: what to do, and the command's stderr with secrets removed. */
export type RefreshFailure = Failure<RefreshFailureCode> & Readonly<{ stderr?: string; at: number }>;

/** What the refresher tells the reminders: a refresh of an entry of `vaultId` failed (for a notification). */
export type RefreshListener = (entry: Entry, failure: RefreshFailure, vaultId: string) => void;

/** After a failed scheduled refresh, try again this much later (not in a loop). */
export const RETRY_AFTER_MS = 10 * 60_000;

const MINUTE = 60_000;

const KNOWN_RUN_CODES: readonly string[] = [
  'command-not-found',
  'command-failed',
  'command-timeout',
  'no-token',
  'not-approved',
];

function failure(code: RefreshFailureCode, message: string, at: number, stderr?: string): RefreshFailure {
  return { code, message, at, ...(stderr ? { stderr } : {}) };
}

/** How long the entry's next token lives: the command's stated lifetime, else the current token's. */
function lifetimeOf(entry: Entry, command: RefreshCommand): number | undefined {
  if (command.lifetimeMs !== undefined) return command.lifetimeMs;
  const span = entry.expiresAt === undefined ? 0 : entry.expiresAt - entry.secretUpdatedAt;
  return span > 0 ? span : undefined;
}

/**
 * Refreshes short-lived tokens (issue #17): on "Refresh now" and, while unlocked, at 90 % of a token's life —
 * in every vault of the profile, not only the open one (ProfileEntries). Only commands stored on this device
 * and allowed here run (RefreshCommands); a token is saved as a normal edit of its own vault, then the login
 * check runs and Docker config is updated where Regvault wrote the registry. Commands never come from a vault
 * document.
 */
export class TokenRefresher {
  readonly running = new SvelteSet<string>();
  failures = $state.raw<Readonly<Record<string, RefreshFailure>>>({});
  private timer: ReturnType<typeof setTimeout> | undefined;
  // A failed entry waits before the schedule tries again, even once its notice was dismissed.
  private readonly retryAt = new SvelteMap<string, number>();
  private readonly listeners = new SvelteSet<RefreshListener>();

  constructor(
    private readonly view: VaultView,
    private readonly vaults: ProfileEntries,
    readonly commands: RefreshCommands,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** This device's command for an entry of the open vault (or of `vaultId`), if it has one. */
  commandOf(entryId: string, vaultId: string | null = this.view.currentId): RefreshCommand | undefined {
    return vaultId === null ? undefined : this.commands.get(vaultId, entryId);
  }

  /** Calls `listener` when a refresh fails; returns the unsubscribe. */
  onFailure(listener: RefreshListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the entry's command now and saves the token it prints; the failure (also kept for the row) or the entry. */
  async refresh(entryId: string, vaultId: string | null = this.view.currentId): Promise<Result<Entry, RefreshFailure>> {
    const command = this.commandOf(entryId, vaultId);
    const at = this.now();
    if (vaultId === null || command === undefined) {
      const none = failure('no-command', 'This entry has no refresh command on this device.', at);
      return this.settle(vaultId, entryId, none);
    }
    const settle = (result: RefreshFailure) => this.settle(vaultId, entryId, result);
    if (this.running.has(entryId)) return settle(failure('unexpected', 'A refresh is already running.', at));
    const entry = this.vaults.byId(vaultId, entryId);
    if (entry !== undefined && command.registry !== undefined && entry.registry !== command.registry) {
      const message = `This command was allowed for ${command.registry}, but the entry now names ${entry.registry}: Edit the entry and allow it again.`;
      return settle(failure('not-approved', message, at));
    }
    if (!isApproved(command)) {
      const message =
        'This command has not been allowed on this device: Edit the entry and choose "Allow this command".';
      return settle(failure('not-approved', message, at));
    }
    this.running.add(entryId);
    try {
      return await this.runAndSave(vaultId, entryId, command);
    } finally {
      this.running.delete(entryId);
    }
  }

  private async runAndSave(
    vaultId: string,
    entryId: string,
    command: RefreshCommand,
  ): Promise<Result<Entry, RefreshFailure>> {
    // Main runs the command it approved for this entry (never an argument vector sent from here).
    const registry = command.registry !== undefined ? { registry: command.registry } : {};
    const run = await window.regvault.refresh.run({ vaultId, entryId, ...registry });
    const at = this.now();
    if (!run.ok) {
      const { code, message } = run.error;
      const stderr = (run.error as { stderr?: unknown }).stderr;
      const known = KNOWN_RUN_CODES.includes(code) ? (code as RefreshFailureCode) : 'unexpected';
      const stderrText = typeof stderr === 'string' ? stderr : undefined;
      return this.settle(vaultId, entryId, failure(known, message, at, stderrText));
    }
    const entry = this.vaults.byId(vaultId, entryId);
    // Changed while the command ran (a remote edit of the registry): the token goes nowhere else.
    if (entry === undefined || (command.registry !== undefined && entry.registry !== command.registry)) {
      const gone = failure('entry-gone', 'The entry was deleted or changed, or its vault closed.', at);
      return this.settle(vaultId, entryId, gone);
    }
    const lifetime = lifetimeOf(entry, command);
    // Saved in the entry's own vault, whichever vault is open now.
    // A token that says when it expires (ECR's expiration, a JWT's exp) is believed over the usual lifetime.
    const carried = readTokenExpiry(run.value.token);
    const expiry = carried
      ? { expiresAt: carried.at, expiresFrom: carried.from }
      : lifetime !== undefined
        ? { expiresAt: at + lifetime }
        : {};
    const saved = this.vaults.edit(vaultId, entryId, { secret: run.value.token, ...expiry });
    if (!saved.ok) return this.settle(vaultId, entryId, failure('save-failed', saved.error.message, at));
    this.retryAt.delete(entryId);
    this.clear(entryId);
    noteEntryUse(entryId, 'refresh');
    await Promise.all([this.vaults.checksOf(vaultId)?.test(saved.value), this.updateDockerConfig(saved.value)]);
    return ok(saved.value);
  }

  /** Writes the new secret to Docker config through the same plan/apply, when Regvault wrote this registry there. */
  private async updateDockerConfig(entry: Entry): Promise<void> {
    const read = await window.regvault.docker.read();
    if (!read.ok || !read.value.entries.some((e) => e.registry === entry.registry && e.writtenByRegvault)) return;
    const plan = await window.regvault.docker.plan({ entries: [toCredential(entry)], remove: [] });
    if (!plan.ok) return;
    await window.regvault.docker.apply({ planId: plan.value.planId });
    await this.view.docker.compare(true);
  }

  /** Keeps the failure for the row (and the retry delay) and tells the listeners. */
  private settle(vaultId: string | null, entryId: string, result: RefreshFailure): Err<RefreshFailure> {
    this.failures = { ...this.failures, [entryId]: result };
    this.retryAt.set(entryId, result.at + RETRY_AFTER_MS);
    const entry = vaultId === null ? undefined : this.vaults.byId(vaultId, entryId);
    if (entry !== undefined && vaultId !== null)
      for (const listener of this.listeners) listener(entry, result, vaultId);
    return failWith(result);
  }

  /** Hides a failure from the row's notice (the retry delay goes with it). */
  dismiss(entryId: string): void {
    this.clear(entryId);
  }

  private clear(entryId: string): void {
    if (!(entryId in this.failures)) return;
    this.failures = Object.fromEntries(Object.entries(this.failures).filter(([id]) => id !== entryId));
  }

  /** When the entry (of the open vault, or of `vaultId`) is next refreshed by itself, or undefined (no allowed command, no expiry). */
  dueAt(entry: Entry, vaultId: string | null = this.view.currentId): number | undefined {
    if (entry.expiresAt === undefined) return undefined;
    const command = this.commandOf(entry.id, vaultId);
    if (!isApproved(command)) return undefined;
    if (command.registry !== undefined && command.registry !== entry.registry) return undefined;
    const due = refreshDueAt(entry.secretUpdatedAt, entry.expiresAt);
    return Math.max(due, this.retryAt.get(entry.id) ?? 0);
  }

  /** Keeps one timer set for the earliest due refresh of every vault; returns the function that stops it. */
  start(): () => void {
    const stop = $effect.root(() => {
      $effect(() => {
        void this.vaults.all;
        void this.commands.list;
        void this.failures;
        this.arm();
      });
    });
    // Timers stand still while the machine sleeps: the schedule is also looked at every minute.
    const tick = setInterval(() => this.arm(), MINUTE);
    return () => {
      stop();
      clearInterval(tick);
      clearTimeout(this.timer);
    };
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.earliestDue();
    if (next === undefined) return;
    const wait = Math.min(Math.max(0, next - this.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => void this.refreshDue(), wait);
  }

  private earliestDue(): number | undefined {
    let next: number | undefined;
    for (const { vaultId, entries } of this.vaults.all) {
      for (const entry of entries) {
        // A refresh under way is not due again (its entry changes, or waits to retry, when it ends).
        const due = this.running.has(entry.id) ? undefined : this.dueAt(entry, vaultId);
        if (due !== undefined && (next === undefined || due < next)) next = due;
      }
    }
    return next;
  }

  /** Refreshes every entry whose time has come, in every vault, one after another. */
  private async refreshDue(): Promise<void> {
    const now = this.now();
    const due = this.vaults.all.flatMap(({ vaultId, entries }) =>
      entries.filter((e) => (this.dueAt(e, vaultId) ?? Infinity) <= now).map((e) => ({ vaultId, id: e.id })),
    );
    for (const { vaultId, id } of due) if (!this.running.has(id)) await this.refresh(id, vaultId);
    this.arm();
  }
}
