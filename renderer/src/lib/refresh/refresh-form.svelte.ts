import type { PresetId } from '../../../../shared/registry';
import { toRegistryKey } from '../../../../shared/registry';
import {
  formatCommandLine,
  parseCommandLine,
  refreshPresetFor,
  sameArgv,
  type RefreshPreset,
} from '../../../../shared/refresh/refresh-command';
import { ok, type Result } from '../../../../shared/result';
import type { VaultFailure } from '../../../../shared/crypto/errors';
import type { RefreshCommands } from './refresh-commands.svelte';

/**
 * The "Refresh command" part of the add / edit form: the command line as typed, the argument vector it
 * stands for, and whether this device's user allowed exactly that vector ("Allow this command"). Stored on
 * this device (RefreshCommands) when the entry is saved; an edit of the text withdraws the approval.
 */
export class RefreshCommandForm {
  text = $state('');
  error = $state<string | undefined>(undefined);
  /** The argument vector allowed in this form (or stored as allowed), compared with what is typed. */
  approvedArgv = $state.raw<readonly string[] | undefined>(undefined);
  private lifetimeMs: number | undefined;
  private readonly parsed = $derived(this.text.trim() === '' ? null : parseCommandLine(this.text));
  /** The typed command as an argument vector, or null when empty or unreadable. */
  argv = $derived(this.parsed?.ok ? this.parsed.value : null);
  /** True when the typed command is the one allowed. */
  approved = $derived(this.argv !== null && sameArgv(this.argv, this.approvedArgv));

  constructor(
    private readonly commands: RefreshCommands,
    private readonly vaultId: string | null,
    entryId: string | null,
  ) {
    const stored = vaultId === null || entryId === null ? undefined : commands.get(vaultId, entryId);
    if (stored !== undefined) {
      this.text = formatCommandLine(stored.argv);
      this.approvedArgv = stored.approvedArgv;
      this.lifetimeMs = stored.lifetimeMs;
    }
  }

  /** The command the registry's preset suggests (ECR, ACR, Artifact Registry / GCR), if any. */
  suggestion(presetId: PresetId | undefined, registry: string): RefreshPreset | undefined {
    const key = toRegistryKey(registry);
    return refreshPresetFor(presetId, key.ok ? key.key : registry.trim());
  }

  /** Fills the preset's command and keeps its token lifetime; returns the username its tokens go with. */
  useSuggestion(preset: RefreshPreset): string {
    this.text = formatCommandLine(preset.argv);
    this.lifetimeMs = preset.lifetimeMs;
    this.error = undefined;
    return preset.username;
  }

  /** "Allow this command": this device may run exactly the typed argument vector. */
  allow(): void {
    if (this.argv !== null) this.approvedArgv = this.argv;
  }

  /** Checks the typed command before the entry is saved; false with `error` set when it cannot be read. */
  validate(): boolean {
    this.error = this.parsed === null || this.parsed.ok ? undefined : this.parsed.error.message;
    return this.error === undefined;
  }

  /** Stores the command (or removes it when the field is empty) for the saved entry, on this device only. */
  async save(entryId: string, registry: string): Promise<Result<void, VaultFailure>> {
    if (this.vaultId === null) return ok(undefined);
    const argv = this.argv;
    if (argv === null) {
      return this.commands.get(this.vaultId, entryId) ? this.commands.set(this.vaultId, entryId, null) : ok(undefined);
    }
    const { lifetimeMs, approvedArgv } = this;
    return this.commands.set(this.vaultId, entryId, {
      argv,
      registry,
      ...(lifetimeMs !== undefined ? { lifetimeMs } : {}),
      ...(approvedArgv !== undefined ? { approvedArgv } : {}),
    });
  }
}
