/**
 * A vault's activity list (issue #13): who added, edited, rotated or deleted which entries, and when.
 * Each change adds its own item to the root map `activity` (under a fresh id: items are independent, so
 * one refused item never drags the author's later ones down with it) in the same transaction, signed with the
 * envelope that carries the change. Peers do not take the item's word for it: `change-judge.ts` derives
 * what the update really does to each entry and refuses an envelope whose items do not say exactly that
 * (a missing, extra or wrong item), or name anyone but the envelope's author. So the list is what every
 * peer verified, synced to every member, newcomers included. Secrets never appear in it.
 */
import type * as Y from 'yjs';
import { z } from 'zod';
import type { EntryContext } from './entry';

/** The root map of activity items (fresh id → item). */
export const ACTIVITY_MAP = 'activity';

/**
 * What a change did to entries: listed from the weakest, a later kind covers the earlier ones. `checked`
 * records a login check's result, `flagged` sets or clears "Rotation recommended".
 */
export const ENTRY_ACTIONS = ['checked', 'flagged', 'edited', 'rotated', 'added', 'deleted'] as const;

/** One kind of change to an entry. */
export type EntryAction = (typeof ENTRY_ACTIONS)[number];

const entryActivitySchema = z.object({
  action: z.enum(ENTRY_ACTIONS),
  entries: z.array(z.string()).min(1),
  /** The registry of each entry, so a deleted one can still be named. */
  registries: z.array(z.string()),
  by: z.string(),
  at: z.number().int().nonnegative(),
});

/**
 * When an admin changed the members: which member-log record (index). What it did is read from that
 * signed record itself, and the item is shown only if the record's signer is its author.
 */
const memberActivitySchema = z.object({
  action: z.literal('member'),
  record: z.number().int().nonnegative(),
  by: z.string(),
  at: z.number().int().nonnegative(),
});

/** A change to entries in the activity list. */
export type EntryActivity = z.infer<typeof entryActivitySchema>;

/** A change of members in the activity list (its details come from the member log). */
export type MemberActivity = z.infer<typeof memberActivitySchema>;

/** One item of the activity list. */
export type ActivityItem = EntryActivity | MemberActivity;

const activitySchema = z.union([entryActivitySchema, memberActivitySchema]);

/** The activity map of a vault document. */
export function getActivityMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ACTIVITY_MAP);
}

/** Appends what the caller's transaction does to `entries` (call inside that transaction). */
export function recordActivity(
  doc: Y.Doc,
  action: EntryAction,
  entries: readonly Readonly<{ id: string; registry: string }>[],
  ctx: EntryContext,
): void {
  if (entries.length === 0) return;
  const item: EntryActivity = {
    action,
    entries: entries.map((entry) => entry.id),
    registries: entries.map((entry) => entry.registry),
    by: ctx.actor,
    at: ctx.now(),
  };
  getActivityMap(doc).set(ctx.newId(), item);
}

/** Notes when this admin appended member record `record` (after the relay took it). */
export function recordMemberActivity(doc: Y.Doc, record: number, ctx: EntryContext): void {
  const item: MemberActivity = { action: 'member', record, by: ctx.actor, at: ctx.now() };
  getActivityMap(doc).set(ctx.newId(), item);
}

/** Reads an item as stored; undefined when it is not one (the judge refuses those, older data may hold any). */
export function parseActivityItem(value: unknown): ActivityItem | undefined {
  const parsed = activitySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const item = parsed.data;
  return item.action === 'member' || item.registries.length === item.entries.length ? item : undefined;
}

/** Calls `listener` with the activity list now and on every change to it; returns the unsubscribe function. */
export function watchActivity(doc: Y.Doc, listener: (items: ActivityItem[]) => void): () => void {
  const activity = getActivityMap(doc);
  const report = () => listener(readActivity(doc));
  activity.observe(report);
  report();
  return () => activity.unobserve(report);
}

/** The activity list, newest first (by the time each author gave; ties by id, so every peer lists alike). */
export function readActivity(doc: Y.Doc): ActivityItem[] {
  const items: (ActivityItem & { id: string })[] = [];
  for (const [id, value] of getActivityMap(doc)) {
    const item = parseActivityItem(value);
    if (item) items.push({ ...item, id });
  }
  items.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return items.map(({ id: _id, ...item }) => item);
}
