/**
 * Operations on an entry's previous secrets (secret-history.ts holds how they are stored): read them, restore
 * one as a normal edit, and cut histories down to the profile's limit.
 */
import * as Y from 'yjs';
import { recordActivity } from './activity';
import { entryError, type Entry, type EntryContext, type EntryResult } from './entry';
import { decodeEntry, getEntriesMap, getEntryMap, writeFields } from './entry-doc';
import { editEntry, registryOf } from './entry-mutations';
import { HISTORY_FIELD, normalizeHistoryLimit, readHistoryOf, type PreviousSecret } from './secret-history';

/** The previous secrets of an entry, newest first (empty when it has none or is missing). */
export function readSecretHistory(doc: Y.Doc, id: string): PreviousSecret[] {
  const map = getEntryMap(doc, id);
  return map ? readHistoryOf(map) : [];
}

/**
 * "Restore this secret": a normal edit that makes the previous secret at `index` the current one (so it is
 * logged in Activity as a rotation and the replaced secret goes into the history in its turn).
 */
export function restoreSecret(doc: Y.Doc, id: string, index: number, ctx: EntryContext): EntryResult<Entry> {
  const previous = readSecretHistory(doc, id)[index];
  if (previous === undefined) {
    return entryError('conflict-mismatch', 'That previous secret is no longer in the history; open the history again.');
  }
  return editEntry(doc, id, { secret: previous.value }, ctx);
}

/**
 * Cuts every history longer than `limit` to its newest `limit` items, as one edit with its Activity item
 * ("edited"), so a team vault's peers accept it; returns how many entries were cut.
 */
export function trimSecretHistory(doc: Y.Doc, limit: number, ctx: EntryContext): number {
  const keep = normalizeHistoryLimit(limit);
  const cut: { id: string; registry: string }[] = [];
  getEntriesMap(doc).forEach((value, id) => {
    if (value instanceof Y.Map && decodeEntry(id, value) && readHistoryOf(value as Y.Map<unknown>).length > keep) {
      cut.push({ id, registry: registryOf(doc, id) });
    }
  });
  if (cut.length === 0) return 0;
  doc.transact(() => {
    for (const { id } of cut) {
      const map = getEntryMap(doc, id);
      if (!map) continue;
      const kept = readHistoryOf(map).slice(0, keep);
      writeFields(map, { [HISTORY_FIELD]: kept.length > 0 ? kept : undefined });
    }
    recordActivity(doc, 'edited', cut, ctx);
  });
  return cut.length;
}
