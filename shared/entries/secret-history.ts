/**
 * An entry's previous secrets ("Show history", "Restore this secret"). The document keeps them in the entry's
 * field `history`: a plain JSON array, newest first, of `{ value, at, by }` — the secret version as it was, with
 * who set it and when. A rotation (editEntry) puts the replaced version at the front and keeps at most the
 * profile's limit; `trimSecretHistory` cuts longer lists (when the limit was lowered). Overwriting the field
 * deletes the old array's item, whose content Yjs garbage-collects: at the next compaction the dropped secrets
 * leave the stored document for good (the log rows holding them are deleted, the snapshot holds none).
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import { writeFields } from './entry-doc';

/** The field of an entry map that holds its previous secrets. */
export const HISTORY_FIELD = 'history';

/** How many previous secrets an entry keeps unless the profile says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 10;

/** The most previous secrets the setting may keep. */
export const MAX_HISTORY_LIMIT = 100;

/** One previous secret: its value, when it was set and by whom (device key). */
export type PreviousSecret = Readonly<{ value: string; at: number; by: string }>;

const previousSchema = z.object({ value: z.string(), at: z.number().int().nonnegative(), by: z.string() });

/** The previous secrets of an entry map, newest first; items that are not one are skipped. */
export function readHistoryOf(map: Y.Map<unknown>): PreviousSecret[] {
  const stored = map.get(HISTORY_FIELD);
  if (!Array.isArray(stored)) return [];
  const out: PreviousSecret[] = [];
  for (const item of stored) {
    const parsed = previousSchema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** Clamps a history limit to 0…MAX_HISTORY_LIMIT (a bad value falls back to the default). */
export function normalizeHistoryLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isInteger(limit) || limit < 0) return DEFAULT_HISTORY_LIMIT;
  return Math.min(limit, MAX_HISTORY_LIMIT);
}

/** Puts the secret being replaced at the front of the history, keeping `limit` items (call inside the edit's transaction). */
export function pushHistory(map: Y.Map<unknown>, replaced: PreviousSecret, limit: number): void {
  const next = [replaced, ...readHistoryOf(map)].slice(0, normalizeHistoryLimit(limit));
  writeFields(map, { [HISTORY_FIELD]: next.length > 0 ? next : undefined });
}
