/**
 * Annotations other parts of the app attach to entries: the login check result (main process,
 * DESIGN.md §6) and the rotation-recommended flag (member removal, DESIGN.md §7). They are not
 * edits of the credential, so they leave updatedAt/updatedBy alone — but in a shared vault anyone who
 * may write could set them, so each is logged in Activity (`checked`, `flagged`) by its author, and
 * every peer refuses one that is not (change-judge.ts).
 */
import type * as Y from 'yjs';
import { ok } from '../result';
import {
  ENTRY_NOT_FOUND_MESSAGE,
  entryError,
  fieldError,
  lastCheckSchema,
  type EntryContext,
  type EntryResult,
  type LastCheck,
} from './entry';
import { recordActivity } from './activity';
import { getEntryMap } from './entry-doc';
import { getEntry } from './entry-mutations';

/** Which entries `flagRotation` flagged, and which ids it did not find (deleted meanwhile). */
export type FlagRotationResult = Readonly<{ flagged: readonly string[]; missing: readonly string[] }>;

/** Stores the outcome of a login check on an entry. */
export function recordCheck(doc: Y.Doc, id: string, result: LastCheck, ctx: EntryContext): EntryResult<void> {
  const parsed = lastCheckSchema.safeParse(result);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'The login check result is not valid.';
    return fieldError('invalid-input', 'check', message);
  }
  const entry = getEntry(doc, id);
  const map = getEntryMap(doc, id);
  if (!entry.ok) return entry;
  if (map === undefined) return entryError('entry-not-found', ENTRY_NOT_FOUND_MESSAGE);
  const { at, ok: passed, code, message } = parsed.data;
  doc.transact(() => {
    map.set('lastCheck', { at, ok: passed, code, message });
    recordActivity(doc, 'checked', [{ id, registry: entry.value.registry }], ctx);
  });
  return ok(undefined);
}

/** Marks entries whose secret should be rotated, e.g. because a member who could read them left. */
export function flagRotation(
  doc: Y.Doc,
  ids: readonly string[],
  reason: string,
  ctx: EntryContext,
): EntryResult<FlagRotationResult> {
  const text = reason.trim();
  if (text === '') return fieldError('invalid-input', 'reason', 'Say why the secret should be rotated.');
  const at = ctx.now();
  const flagged: string[] = [];
  const missing: string[] = [];
  doc.transact(() => {
    const noted: { id: string; registry: string }[] = [];
    for (const id of new Set(ids)) {
      const map = getEntryMap(doc, id);
      const registry = map?.get('registry');
      if (map === undefined || typeof registry !== 'string') {
        missing.push(id);
        continue;
      }
      map.set('rotationRecommended', { reason: text, at });
      flagged.push(id);
      noted.push({ id, registry });
    }
    recordActivity(doc, 'flagged', noted, ctx);
  });
  return ok({ flagged, missing });
}
