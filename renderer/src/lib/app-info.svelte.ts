import type { ResponseOf } from '../../../shared/ipc/contract';

type AppInfo = ResponseOf<'app:info'>;

/** Loads `app:info` once from main and keeps the answer (or the error) for the screens. */
export class AppInfoState {
  info = $state<AppInfo | null>(null);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    const result = await window.regvault.app.info();
    if (result.ok) this.info = result.value;
    else this.error = result.error.message;
  }
}
