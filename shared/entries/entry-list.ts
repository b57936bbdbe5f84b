/**
 * Reading a whole vault, and resolving what two offline copies left behind after merging:
 * two entries for one registry key, or two secret versions of one entry. Both are shown to
 * the user and resolved explicitly; nothing is dropped silently.
 */
import { recordActivity } from './activity';
import type * as Y from 'yjs';
import { ok } from '../result';
import { ENTRY_NOT_FOUND_MESSAGE, entryError, type Entry, type EntryContext, type EntryResult } from './entry';
import { getEntriesMap, getEntryMap, keepSecretVersion, writeFields, type SecretVersion } from './entry-doc';
import { getEntry } from './entry-mutations';
import { EntrySet } from './entry-set';

/** Entries sharing one registry key; the user keeps one of them (`resolveConflict`). */
export type RegistryConflict = Readonly<{ registry: string; ids: readonly string[] }>;

/** An entry whose secret was replaced on two peers offline; every version is kept until the user picks one. */
export type SecretConflict = Readonly<{ id: string; versions: readonly SecretVersion[] }>;

/** A decoded vault: readable entries sorted by name, ids of damaged ones, and conflicts to resolve. */
export type EntryList = Readonly<{
  entries: readonly Entry[];
  damaged: readonly string[];
  conflicts: readonly RegistryConflict[];
  secretConflicts: readonly SecretConflict[];
}>;

/** Decodes every entry; a malformed one is listed in `damaged` and the rest still load. */
export function listEntries(doc: Y.Doc): EntryList {
  const set = new EntrySet(getEntriesMap(doc));
  set.fill();
  return set.snapshot().list;
}

/** Keeps one entry of a registry conflict and deletes the others (needs delete permission in a team vault). */
export function resolveConflict(
  doc: Y.Doc,
  keepId: string,
  dropIds: readonly string[],
  ctx: EntryContext,
): EntryResult<void> {
  const keep = getEntry(doc, keepId);
  if (!keep.ok) return keep;
  if (dropIds.length === 0 || dropIds.includes(keepId)) {
    return entryError('conflict-mismatch', 'Choose one entry to keep and at least one other entry to remove.');
  }
  for (const id of dropIds) {
    const drop = getEntry(doc, id);
    if (!drop.ok) return drop;
    if (drop.value.registry !== keep.value.registry) {
      return entryError(
        'conflict-mismatch',
        'Only entries for the same registry URL can be merged; these are for different registries.',
      );
    }
  }
  const entries = getEntriesMap(doc);
  doc.transact(() => {
    const dropped = dropIds.map((id) => ({ id, registry: keep.value.registry }));
    recordActivity(doc, 'deleted', dropped, ctx);
    for (const id of dropIds) entries.delete(id);
  });
  return ok(undefined);
}

/** Keeps one secret version of an entry and deletes the others. */
export function resolveSecretConflict(
  doc: Y.Doc,
  id: string,
  keepVersionId: string,
  ctx: EntryContext,
): EntryResult<Entry> {
  const current = getEntry(doc, id);
  const map = getEntryMap(doc, id);
  if (!current.ok) return current;
  if (map === undefined) return entryError('entry-not-found', ENTRY_NOT_FOUND_MESSAGE);
  let kept = false;
  doc.transact(() => {
    kept = keepSecretVersion(map, keepVersionId);
    if (!kept) return;
    writeFields(map, { updatedAt: ctx.now(), updatedBy: ctx.actor, lastCheck: undefined });
    recordActivity(doc, 'edited', [current.value], ctx);
  });
  if (!kept)
    return entryError('conflict-mismatch', 'That secret version is no longer on this entry; reload and choose again.');
  return getEntry(doc, id);
}
