// The entry menu's actions, handed from the vault screen to each row through Svelte's context (like the rights),
// so the list components in between need no new props.
import { getContext, setContext } from 'svelte';
import type { Entry } from '../../../../shared/entries';

/** What the entry menu can open. */
export type EntryMenuAction = 'history' | 'move' | 'copy';

type Opener = (entry: Entry, action: EntryMenuAction) => void;

const KEY = Symbol('entry-menu');

/** Provides what the rows' menus open (call during component setup). */
export function provideEntryMenu(open: Opener): void {
  setContext(KEY, open);
}

/** The vault screen's opener, or null where none was provided (then the row shows no menu). */
export function useEntryMenu(): Opener | null {
  return getContext<Opener | undefined>(KEY) ?? null;
}
