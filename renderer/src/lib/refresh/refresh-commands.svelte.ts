import type { VaultFailure } from '../../../../shared/crypto/errors';
import { isApproved, sameArgv, type RefreshCommand } from '../../../../shared/refresh/refresh-command';
import { ok, type Result } from '../../../../shared/result';
import type { StoredRefreshCommand, UnlockedProfile } from '../vault-db';

/** What the store needs of the session: its settings, sealed under the master key on this device. */
export type SettingsHolder = Pick<UnlockedProfile, 'settings' | 'updateSettings'>;

/**
 * This device's refresh commands, one per entry (issue #17). They live in the profile's sealed settings,
 * never in a vault document: nothing a teammate syncs can add, change or approve a command here. Main
 * keeps the approvals themselves (its own dialog, its own file): this list only mirrors what it allowed.
 */
export class RefreshCommands {
  list = $state.raw<readonly StoredRefreshCommand[]>([]);
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: SettingsHolder) {
    this.list = session.settings.refreshCommands ?? [];
  }

  /** The entry's command on this device, or undefined. */
  get(vaultId: string, entryId: string): RefreshCommand | undefined {
    return this.list.find((c) => c.vaultId === vaultId && c.entryId === entryId);
  }

  /** True when the entry's command may run: its exact argument vector was allowed here. */
  approved(vaultId: string, entryId: string): boolean {
    return isApproved(this.get(vaultId, entryId));
  }

  /**
   * Stores (or with null removes) an entry's command. An approval survives only for the very same argument
   * vector: a changed command must be allowed again.
   */
  set(vaultId: string, entryId: string, command: RefreshCommand | null): Promise<Result<void, VaultFailure>> {
    return this.queued(() => this.replace(vaultId, entryId, command));
  }

  private async replace(
    vaultId: string,
    entryId: string,
    command: RefreshCommand | null,
  ): Promise<Result<void, VaultFailure>> {
    const others = this.list.filter((c) => !(c.vaultId === vaultId && c.entryId === entryId));
    if (command === null) {
      await window.regvault.refresh.forget({ vaultId, entryId });
      return this.save(others);
    }
    const approvedArgv = (await this.askMain(vaultId, entryId, command)) ? command.argv : undefined;
    const stored: StoredRefreshCommand = {
      vaultId,
      entryId,
      argv: [...command.argv],
      ...(command.lifetimeMs !== undefined ? { lifetimeMs: command.lifetimeMs } : {}),
      ...(command.registry !== undefined ? { registry: command.registry } : {}),
      ...(approvedArgv !== undefined ? { approvedArgv: [...approvedArgv] } : {}),
    };
    return this.save([...others, stored]);
  }

  // "Allow this command" is only a request: main shows the exact command in its own dialog and keeps the
  // approval; a command the user did not allow there (or a changed one) is dropped from main.
  private async askMain(vaultId: string, entryId: string, command: RefreshCommand): Promise<boolean> {
    if (!sameArgv(command.argv, command.approvedArgv)) {
      await window.regvault.refresh.forget({ vaultId, entryId });
      return false;
    }
    const registry = command.registry !== undefined ? { registry: command.registry } : {};
    const asked = await window.regvault.refresh.approve({ vaultId, entryId, argv: [...command.argv], ...registry });
    return asked.ok && asked.value.approved;
  }

  // One settings write at a time: each change starts from the list the previous one stored.
  private queued<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async save(next: readonly StoredRefreshCommand[]): Promise<Result<void, VaultFailure>> {
    const saved = await this.session.updateSettings({ ...this.session.settings, refreshCommands: next });
    if (!saved.ok) return saved;
    this.list = saved.value.refreshCommands ?? [];
    return ok(undefined);
  }
}
