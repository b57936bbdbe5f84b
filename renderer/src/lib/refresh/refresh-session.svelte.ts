import { getContext, setContext } from 'svelte';
import type { UnlockedProfile } from '../vault-db';
import type { VaultView } from '../vault-view.svelte';
import { ProfileEntries } from './profile-entries.svelte';
import { RefreshCommands } from './refresh-commands.svelte';
import { Reminders } from './reminders.svelte';
import { TokenRefresher } from './token-refresher.svelte';

/**
 * Short-lived tokens for one unlocked session (issue #17): every vault's entries, this device's commands, the
 * refresher, the reminders.
 */
export class RefreshSession {
  readonly vaults: ProfileEntries;
  readonly commands: RefreshCommands;
  readonly refresher: TokenRefresher;
  readonly reminders: Reminders;

  constructor(session: UnlockedProfile, view: VaultView) {
    this.vaults = new ProfileEntries(session, view);
    this.commands = new RefreshCommands(session);
    this.refresher = new TokenRefresher(view, this.vaults, this.commands);
    this.reminders = new Reminders(view, this.vaults, this.refresher, session);
  }

  /** Reads the other vaults, starts the schedule and the reminders; returns the function that stops them (on lock). */
  start(): () => void {
    const stops = [this.vaults.start(), this.refresher.start(), this.reminders.start()];
    return () => stops.forEach((stop) => stop());
  }
}

const KEY = Symbol('regvault:refresh');

/** Makes the session's refresh state available to the vault screen's rows and forms. */
export function setRefreshContext(refresh: RefreshSession | null): void {
  setContext(KEY, refresh);
}

/** The refresh state set by the vault screen, or null (e.g. a component rendered on its own). */
export function getRefreshContext(): RefreshSession | null {
  return getContext<RefreshSession | null | undefined>(KEY) ?? null;
}
