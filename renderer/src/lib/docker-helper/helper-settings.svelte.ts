/**
 * The Settings section of docker-credential-regvault: where the command-line helper is installed (from
 * main, `helper:status`), installing it after the user confirmed the target, and the store vault.
 */
import type { ResponseOf } from '../../../../shared/ipc/contract';

/** The helper's install and channel state as main reports it. */
export type HelperStatus = ResponseOf<'helper:status'>;

/** The install flow: load the status, ask to confirm the target, install. */
export class HelperInstallState {
  status = $state.raw<HelperStatus | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** The target waiting for the user's confirmation. */
  confirming = $state<string | null>(null);
  busy = $state(false);

  async load(): Promise<void> {
    const result = await window.regvault.helper.status();
    this.status = result.ok ? result.value : null;
    this.error = result.ok ? null : result.error.message;
  }

  /** Shows the target and asks for confirmation (nothing is written yet). */
  ask(): void {
    this.notice = null;
    this.confirming = this.status?.target ?? null;
  }

  cancel(): void {
    this.confirming = null;
  }

  /** Installs at the confirmed target; main refuses if the target changed meanwhile. */
  async install(): Promise<void> {
    const target = this.confirming;
    if (target === null) return;
    this.busy = true;
    const result = await window.regvault.helper.install({ target });
    this.busy = false;
    this.confirming = null;
    if (!result.ok) {
      this.error = result.error.message;
      return;
    }
    this.status = result.value;
    this.error = null;
    this.notice = `Installed docker-credential-regvault at ${target}.`;
  }
}
