import { acceptNewPassphrase, type PassphraseRefusal } from '../../../shared/passphrase/strength';
import { startIdleLock } from './idle-lock';
import type { VaultFailure } from '../../../shared/crypto/errors';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
import { describeError } from './describe-error';
import { VaultStore, type UnlockedProfile } from './vault-db';
import { browserSyncPorts, SyncManager } from './sync/sync-manager.svelte';
import type { SyncPorts } from './sync/sync-hub';
import { VaultView } from './vault-view.svelte';
import { RefreshSession } from './refresh/refresh-session.svelte';
import { EntryInsights } from './insights/entry-insights.svelte';
import { startAutoBackups } from './backup/auto-backup';

/** Which screen the app shows: nothing yet, first run, locked, or unlocked. */
export type Phase = 'loading' | 'create' | 'unlock' | 'unlocked';

/** Why a session action failed: the store's coded failure, a refused new passphrase, locked, or unexpected. */
export type SessionFailure = VaultFailure | PassphraseRefusal | Failure<'locked' | 'empty-passphrase' | 'unexpected'>;

/** Why the session was locked, shown on the Unlock screen. */
export type LockReason = 'button' | 'idle' | 'suspend' | 'lock-screen' | null;

/**
 * The unlocked session and the screens' phase. Holds the only reference to the UnlockedProfile, and
 * owns what lives as long as it: the open vault every screen shows (`vault`) and the sync engines
 * (`sync`). Locking drops every key, document and view in one place; auto-locks after idle time
 * and on suspend / screen lock reported by main.
 */
export class AppState {
  phase = $state<Phase>('loading');
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  retryAt = $state(0);
  lockReason = $state<LockReason>(null);
  session = $state.raw<UnlockedProfile | null>(null);
  /** The open vault, the same one on the Vaults and Docker config screens; null while locked. */
  vault = $state.raw<VaultView | null>(null);
  /** Every vault's sync, running whichever screen is shown; null while locked. */
  sync = $state.raw<SyncManager | null>(null);
  /** True right after Create vault: the app offers a recovery key once. */
  offerRecoveryKey = $state(false);
  /** The last automatic backup's outcome this session (a path, or why it failed); null before one ran. */
  autoBackup = $state.raw<Result<string, Failure> | null>(null);
  private stopAutoBackups: (() => void) | null = null;
  /** Refresh commands, scheduled refreshes and reminders (issue #17); null while locked. */
  refresh = $state.raw<RefreshSession | null>(null);
  /** Reuse across vaults and this device's last use of each entry; null while locked. */
  insights = $state.raw<EntryInsights | null>(null);
  private stopRefresh: (() => void) | null = null;
  private stopWatching: (() => void)[] = [];

  constructor(
    private readonly store: VaultStore = new VaultStore(),
    private readonly syncPorts: SyncPorts = browserSyncPorts,
  ) {}

  async start(): Promise<void> {
    this.phase = (await this.store.hasProfile()) ? 'unlock' : 'create';
    const delay = await this.store.unlockDelay();
    if (delay > 0) this.retryAt = Date.now() + delay;
  }

  /** First run: refuses weak or mismatched passphrases, else creates the profile and a first vault. */
  async create(passphrase: string, confirmation: string): Promise<Result<void, SessionFailure>> {
    const accepted = acceptNewPassphrase(passphrase, confirmation);
    if (!accepted.ok) {
      this.error = accepted.error.message;
      return accepted;
    }
    return this.run('Creating your vault — tuning the key derivation to this machine…', async () => {
      const created = await this.store.createProfile(passphrase);
      if (!created.ok) return created;
      const first = await created.value.createVault('Personal');
      if (!first.ok) return first;
      this.offerRecoveryKey = true;
      await this.enter(created.value);
      return ok(undefined);
    });
  }

  /** Unlocks the profile; a wrong passphrase comes back as `wrong-passphrase` (and sets `retryAt` once throttled). */
  async unlock(passphrase: string): Promise<Result<void, SessionFailure>> {
    if (passphrase.length === 0) {
      this.error = 'Enter your passphrase.';
      return fail('empty-passphrase', this.error);
    }
    return this.run('Unlocking…', async () => {
      const unlocked = await this.store.unlock(passphrase);
      if (!unlocked.ok) {
        const wait = unlocked.error.retryAfterMs;
        if (wait) this.retryAt = Date.now() + wait;
        return unlocked;
      }
      await this.enter(unlocked.value);
      return ok(undefined);
    });
  }

  /** "Reset passphrase with recovery key": a new passphrase (refused when weak or mistyped), then unlocked. */
  async resetWithRecoveryKey(
    recoveryKey: string,
    passphrase: string,
    confirmation: string,
  ): Promise<Result<void, SessionFailure>> {
    const accepted = acceptNewPassphrase(passphrase, confirmation);
    if (!accepted.ok) {
      this.error = accepted.error.message;
      return accepted;
    }
    return this.run('Opening with the recovery key…', async () => {
      const reset = await this.store.resetWithRecoveryKey(recoveryKey, passphrase);
      if (!reset.ok) return reset;
      await this.enter(reset.value);
      return ok(undefined);
    });
  }

  /** Wipes the keys and drops every document, the open vault's view and the sync engines. */
  async lock(reason: LockReason = 'button'): Promise<void> {
    const session = this.session;
    if (!session) return;
    for (const stop of this.stopWatching.splice(0)) stop();
    this.stopAutoBackups?.();
    this.stopAutoBackups = null;
    this.offerRecoveryKey = false;
    this.stopRefresh?.();
    this.stopRefresh = null;
    this.refresh = null;
    this.insights = null;
    const sync = this.sync;
    this.vault?.close();
    this.vault = null;
    this.sync = null;
    this.session = null;
    this.phase = 'unlock';
    this.lockReason = reason;
    this.error = null;
    // Main clears the clipboard too, but only if it still holds the secret Regvault put there.
    await Promise.all([sync?.stop(), session.lock(), window.regvault.clipboard.clearSecret()]);
  }

  /** Changes the passphrase (optionally rotating keys); a refused passphrase or a store failure comes back as data. */
  async changePassphrase(
    old: string,
    next: string,
    confirmation: string,
    rotateKeys = false,
  ): Promise<Result<void, VaultFailure | PassphraseRefusal | Failure<'locked'>>> {
    const accepted = acceptNewPassphrase(next, confirmation);
    if (!accepted.ok) return accepted;
    if (!this.session) return fail('locked', 'The vault is locked.');
    return this.session.changePassphrase(old, next, rotateKeys);
  }

  /** Stores the auto-lock delay and re-arms the idle lock; `invalid-settings` when not 1 to 1440 whole minutes. */
  async setAutoLockMinutes(minutes: number): Promise<Result<void, SessionFailure>> {
    const session = this.session;
    if (!session) return fail('locked', 'The vault is locked.');
    try {
      const saved = await session.updateSettings({ ...session.settings, autoLockMinutes: minutes });
      if (!saved.ok) return saved;
    } catch (error) {
      return fail('unexpected', describeError(error));
    }
    if (this.session === session) this.watch(session);
    return ok(undefined);
  }

  /** Opens the session's vault view and starts its sync; resolves once the first vault is open. */
  private async enter(session: UnlockedProfile): Promise<void> {
    const sync = new SyncManager(session, this.syncPorts);
    const vault = new VaultView(session, sync);
    this.session = session;
    this.sync = sync;
    this.vault = vault;
    const refresh = new RefreshSession(session, vault);
    this.refresh = refresh;
    const insights = new EntryInsights(
      session,
      () => refresh.vaults.all,
      () => vault.vaults,
    );
    this.insights = insights;
    vault.insights = insights;
    this.phase = 'unlocked';
    this.lockReason = null;
    this.retryAt = 0;
    this.watch(session);
    // A vault that joined, or a team vault's shared name (renamed by an admin elsewhere), shows in the list at once.
    sync.team.onVaultsChanged(() => void vault.refreshVaults());
    void sync.start();
    this.stopAutoBackups = startAutoBackups(session, (result) => (this.autoBackup = result));
    await vault.load();
    if (this.refresh === refresh) {
      // not if locked while loading
      const stops = [refresh.start(), insights.start()];
      this.stopRefresh = () => stops.forEach((stop) => stop());
    }
  }

  private watch(session: UnlockedProfile): void {
    for (const stop of this.stopWatching.splice(0)) stop();
    this.stopWatching.push(
      startIdleLock(window, session.settings.autoLockMinutes, () => void this.lock('idle')),
      window.regvault.on('power:suspend', () => void this.lock('suspend')),
      window.regvault.on('power:lock-screen', () => void this.lock('lock-screen')),
    );
  }

  private async run(
    label: string,
    task: () => Promise<Result<void, SessionFailure>>,
  ): Promise<Result<void, SessionFailure>> {
    this.busy = label;
    this.error = null;
    try {
      const result = await task();
      if (!result.ok) this.error = result.error.message;
      return result;
    } catch (error) {
      // Not a store failure (those come back as data): IndexedDB itself failed, or a bug.
      this.error = describeError(error);
      return fail('unexpected', this.error);
    } finally {
      this.busy = null;
    }
  }
}
