/**
 * Status badges of a list row (DESIGN.md §3). "In Docker config" is not here: only the main process
 * reads config.json, so the renderer adds that badge from main's comparison (docker:compare).
 */
import type { Entry } from './entry';

/** Every badge, most urgent first; `entryStatus` returns them in this order. */
export const entryBadges = [
  'expired',
  'expires-soon',
  'check-failed',
  'rotation-recommended',
  'rotation-due',
  'check-ok',
] as const;

/** One status badge. */
export type EntryBadge = (typeof entryBadges)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The longest "expires soon" warning: a day ahead. */
export const EXPIRES_SOON_MAX_MS = DAY;

/** The share of a short-lived credential's lifetime during which it counts as expiring soon. */
export const EXPIRES_SOON_FRACTION = 0.25;

/**
 * How long before `expiresAt` an entry counts as expiring soon: 24 h, or a quarter of the
 * secret's lifetime (from when it was set to when it expires) if that is shorter. A fixed
 * 24 h would mark a 12 h ECR token as "expires soon" from the moment it is pasted; with this
 * rule ECR warns 3 h ahead, an Entra ACR token 45 min ahead, a 90-day PAT a day ahead.
 */
export function expiresSoonWindow(entry: Entry): number {
  if (entry.expiresAt === undefined) return 0;
  const lifetime = entry.expiresAt - entry.secretUpdatedAt;
  return lifetime > 0 ? Math.min(EXPIRES_SOON_MAX_MS, lifetime * EXPIRES_SOON_FRACTION) : EXPIRES_SOON_MAX_MS;
}

/** When the secret is due for rotation under `rotateEveryDays`, or undefined without a schedule. */
export function rotationDueAt(entry: Entry): number | undefined {
  return entry.rotateEveryDays === undefined ? undefined : entry.secretUpdatedAt + entry.rotateEveryDays * DAY;
}

/** The badges of an entry at `now` (epoch ms). A passed check is not shown once the secret has expired. */
export function entryStatus(entry: Entry, now: number): readonly EntryBadge[] {
  const badges = new Set<EntryBadge>();
  const expired = entry.expiresAt !== undefined && now >= entry.expiresAt;
  if (expired) badges.add('expired');
  else if (entry.expiresAt !== undefined && entry.expiresAt - now <= expiresSoonWindow(entry))
    badges.add('expires-soon');
  if (entry.lastCheck?.ok === false) badges.add('check-failed');
  if (entry.rotationRecommended !== undefined) badges.add('rotation-recommended');
  const dueAt = rotationDueAt(entry);
  if (dueAt !== undefined && now >= dueAt) badges.add('rotation-due');
  if (entry.lastCheck?.ok === true && !expired) badges.add('check-ok');
  return entryBadges.filter((badge) => badges.has(badge));
}

/** Whether an entry's secret should be changed: flagged "Rotation recommended", or its rotation is due at `now`. */
export function needsRotation(entry: Entry, now: number): boolean {
  const dueAt = rotationDueAt(entry);
  return entry.rotationRecommended !== undefined || (dueAt !== undefined && now >= dueAt);
}

const BADGE_LABELS: Readonly<Record<EntryBadge, string>> = {
  expired: 'Expired',
  'expires-soon': 'Expires soon',
  'check-failed': 'Login failed',
  'rotation-recommended': 'Rotation recommended',
  'rotation-due': 'Rotation due',
  'check-ok': 'Login OK',
};

/** The short label a list row shows for a badge. */
export function describeBadge(badge: EntryBadge): string {
  return BADGE_LABELS[badge];
}
