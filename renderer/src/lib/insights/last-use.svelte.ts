import { SvelteMap } from 'svelte/reactivity';
import type { EntryUse, EntryUseKind, UnlockedProfile } from '../vault-db';
import { onEntryUse } from './entry-use-events';

/** What the record needs of the session: its sealed settings, written one change at a time. */
export type UseSettings = Pick<UnlockedProfile, 'settings' | 'patchSettings'>;

/** A use within this long of the last one of the same kind is not written again (Docker asks on every pull). */
export const USE_WRITE_INTERVAL_MS = 60_000;

/**
 * When this device last used each entry (served Docker through the helper, wrote it to Docker config, passed a login
 * check, refreshed it). Kept in the profile's sealed settings: per device, never in a vault document, never synced.
 */
export class LastUse {
  private readonly uses = new SvelteMap<string, EntryUse>();

  constructor(
    private readonly session: UseSettings,
    private readonly now: () => number = () => Date.now(),
  ) {
    for (const use of session.settings.lastUse ?? []) this.uses.set(use.entryId, use);
  }

  /** When the entry was last used on this device, and how; undefined when never (since this was recorded). */
  of(entryId: string): EntryUse | undefined {
    return this.uses.get(entryId);
  }

  /** Records a use now; written to the settings unless the same use was written a moment ago. */
  async record(entryId: string, via: EntryUseKind): Promise<void> {
    const at = this.now();
    const last = this.uses.get(entryId);
    const use: EntryUse = { entryId, at, via };
    this.uses.set(entryId, use);
    if (last !== undefined && last.via === via && at - last.at < USE_WRITE_INTERVAL_MS) return;
    await this.session.patchSettings((current) => ({ ...current, lastUse: [...this.uses.values()] }));
  }

  /** Drops the records of entries that no longer exist in any vault (`live` holds every vault's entry ids). */
  async forgetAllBut(live: ReadonlySet<string>): Promise<void> {
    const gone = [...this.uses.keys()].filter((id) => !live.has(id));
    if (gone.length === 0) return;
    for (const id of gone) this.uses.delete(id);
    await this.session.patchSettings((current) => ({ ...current, lastUse: [...this.uses.values()] }));
  }

  /** Records every use the app reports while the session is unlocked; returns the stop function. */
  start(): () => void {
    return onEntryUse((entryId, via) => void this.record(entryId, via));
  }
}
