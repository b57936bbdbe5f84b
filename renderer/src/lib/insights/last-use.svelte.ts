import { SvelteMap } from 'svelte/reactivity';
import type { EntryUse, EntryUseKind, UnlockedProfile } from '../vault-db';
import { onEntryUse } from './entry-use-events';

/** What the record needs of the session: its sealed settings, written one change at a time. */
export type UseSettings = Pick<UnlockedProfile, 'settings' | 'patchSettings'>;

/** How many entries' last use are kept (the settings schema allows 20,000). */
export const MAX_USES = 10_000;

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
    this.uses.delete(entryId); // re-inserted last: the map stays in order of use, oldest first
    this.uses.set(entryId, use);
    // Records of deleted entries are not chased through every vault: the oldest go once the record is full.
    for (const oldest of this.uses.keys()) {
      if (this.uses.size <= MAX_USES) break;
      this.uses.delete(oldest);
    }
    if (last !== undefined && last.via === via && at - last.at < USE_WRITE_INTERVAL_MS) return;
    await this.session.patchSettings((current) => ({ ...current, lastUse: [...this.uses.values()] }));
  }

  /** Records every use the app reports while the session is unlocked; returns the stop function. */
  start(): () => void {
    return onEntryUse((entryId, via) => void this.record(entryId, via));
  }
}
