/**
 * "Move to vault" and "Copy to vault" (e.g. promote Staging → Production): the entry arrives in the target vault
 * as a new entry written by whoever moves it (a team vault's peers accept only their own author in createdBy,
 * updatedBy and the secret's `by`), with its fields, its previous secrets and its login check; Activity says
 * "added" in the target and, for a move, "deleted" in the source. Rights are the caller's to check first.
 */
import * as Y from 'yjs';
import { ok } from '../result';
import { recordActivity } from './activity';
import { entryError, type Entry, type EntryContext, type EntryResult } from './entry';
import { getEntriesMap, getEntryMap, replaceSecret, writeFields } from './entry-doc';
import { deleteEntry, findEntriesByRegistry, getEntry } from './entry-mutations';
import { HISTORY_FIELD } from './secret-history';
import { displayRegistry } from '../registry/registry-key';

// What a moved entry carries over as it is; authorship and dates are the mover's.
const CARRIED = [
  'registry',
  'name',
  'username',
  'email',
  'notes',
  'pipelines',
  'expiresAt',
  'rotateEveryDays',
  'lastCheck',
  'rotationRecommended',
  'insecure',
  'caCertificate',
  'presetId',
  HISTORY_FIELD,
] as const;

/** Copies entry `id` of `source` into `target` as a new entry; `registry-exists` when the target has that registry. */
export function copyEntryTo(source: Y.Doc, id: string, target: Y.Doc, ctx: EntryContext): EntryResult<Entry> {
  const current = getEntry(source, id);
  if (!current.ok) return current;
  const entry = current.value;
  if (findEntriesByRegistry(target, entry.registry).length > 0) {
    return entryError(
      'registry-exists',
      `The target vault already has an entry for ${displayRegistry(entry.registry)}. Each registry URL has one entry per vault: delete or edit that one first.`,
    );
  }
  const from = getEntryMap(source, id);
  if (!from) return entryError('entry-not-found', 'This entry no longer exists; it may have been deleted.');
  const newId = ctx.newId();
  const now = ctx.now();
  const fields: Record<string, unknown> = {};
  for (const name of CARRIED) fields[name] = structuredCloneJson(from.get(name));
  target.transact(() => {
    const map = new Y.Map<unknown>();
    getEntriesMap(target).set(newId, map);
    writeFields(map, { ...fields, createdAt: now, updatedAt: now, createdBy: ctx.actor, updatedBy: ctx.actor });
    // The secret keeps its age (rotation periods and expiry count from when it was set), but names the mover.
    replaceSecret(map, { versionId: ctx.newId(), value: entry.secret, at: entry.secretUpdatedAt, by: ctx.actor });
    recordActivity(target, 'added', [{ id: newId, registry: entry.registry }], ctx);
  });
  return getEntry(target, newId);
}

/** Moves entry `id` from `source` to `target`: the copy first, then the deletion, so nothing is lost midway. */
export function moveEntryTo(source: Y.Doc, id: string, target: Y.Doc, ctx: EntryContext): EntryResult<Entry> {
  const copied = copyEntryTo(source, id, target, ctx);
  if (!copied.ok) return copied;
  const deleted = deleteEntry(source, id, ctx);
  return deleted.ok ? ok(copied.value) : deleted;
}

function structuredCloneJson(value: unknown): unknown {
  return value === undefined || value instanceof Y.AbstractType ? undefined : JSON.parse(JSON.stringify(value));
}
