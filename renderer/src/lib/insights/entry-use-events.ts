/**
 * The seam through which the parts of the app that use an entry say so: the credential helper serving Docker, a
 * Docker config write, a passed login check, a refresh. The session's `LastUse` listens while unlocked; while
 * locked nothing listens and nothing is recorded.
 */
import type { EntryUseKind } from '../vault-db';

type Listener = (entryId: string, via: EntryUseKind) => void;

const listeners = new Set<Listener>();

/** Says that this device just used an entry. */
export function noteEntryUse(entryId: string, via: EntryUseKind): void {
  for (const listener of listeners) listener(entryId, via);
}

/** Listens for entry uses; returns the function that stops listening. */
export function onEntryUse(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
