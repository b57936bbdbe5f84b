import { getContext, setContext } from 'svelte';
import type { Entry } from '../../../../shared/entries';
import type { BadgeView } from '../entry-display';
import type { VaultEntries } from '../refresh/profile-entries.svelte';
import type { VaultSummary } from '../vault-db';
import { insightBadges, lastActiveAt } from './insight-display';
import { LastUse, type UseSettings } from './last-use.svelte';
import { SecretReuse } from './secret-reuse.svelte';

/**
 * What the unlocked session knows about its entries beyond their fields: which secrets are reused across vaults
 * (compared by keyed digest in memory) and when this device last used each entry. One per unlock, made by AppState.
 */
export class EntryInsights {
  readonly reuse: SecretReuse;
  readonly lastUse: LastUse;

  constructor(
    session: UseSettings,
    private readonly vaults: () => readonly VaultEntries[],
    private readonly summaries: () => readonly VaultSummary[],
    now?: () => number,
  ) {
    this.reuse = new SecretReuse(vaults);
    this.lastUse = new LastUse(session, now);
  }

  /** The row badges of an entry of `vaultId`: Reused, Same login, Not used for 90 days. */
  badgesOf(vaultId: string | null, entry: Entry, now: number): BadgeView[] {
    const reuse = vaultId === null ? undefined : this.reuse.of(vaultId, entry.id);
    const nameOf = (id: string) => this.summaries().find((vault) => vault.id === id)?.name ?? 'another vault';
    return insightBadges(entry, reuse, this.lastUse.of(entry.id), now, nameOf);
  }

  /** When the entry was last active on this device, for the "Last used" order. */
  activeAt(entry: Entry): number {
    return lastActiveAt(entry, this.lastUse.of(entry.id));
  }

  /** Starts comparing and recording; returns the stop function (on lock). */
  start(): () => void {
    const stops = [this.reuse.watch(), this.lastUse.start()];
    return () => stops.forEach((stop) => stop());
  }
}

const KEY = Symbol('regvault:insights');

const VAULT_KEY = Symbol('regvault:insights-vault');

/** Hands the session's insights, and the open vault's id, to the rows (call during component setup). */
export function provideInsights(current: () => EntryInsights | null, vaultId: () => string | null): void {
  setContext(KEY, current);
  setContext(VAULT_KEY, vaultId);
}

/** The open vault's id as the vault screen provided it; null outside it. */
export function useCurrentVault(): () => string | null {
  return getContext<(() => string | null) | undefined>(VAULT_KEY) ?? (() => null);
}

/** The session's insights, or null (locked, or a component shown on its own). */
export function useInsights(): () => EntryInsights | null {
  return getContext<(() => EntryInsights | null) | undefined>(KEY) ?? (() => null);
}
