import {
  describeBadge,
  entryStatus,
  expiresSoonWindow,
  rotationDueAt,
  type Entry,
  type EntryBadge,
} from '../../../../shared/entries';
import { displayRegistry } from '../../../../shared/registry';

/** What a reminder is about. */
export type ReminderKind = 'expires-soon' | 'expired' | 'rotation-due' | 'refresh-failed';

/** One notification to show: its key (shown once per key), title and body — never a secret. */
export type DueReminder = Readonly<{ key: string; entryId: string; title: string; body: string }>;

/** The badges that make an entry "need attention" (the window title and the dock / taskbar count). */
export const ATTENTION_BADGES: readonly EntryBadge[] = [
  'expired',
  'expires-soon',
  'rotation-due',
  'rotation-recommended',
];

/** How many entries need attention at `now`. */
export function attentionCount(entries: readonly Entry[], now: number): number {
  return entries.filter((entry) => entryStatus(entry, now).some((badge) => ATTENTION_BADGES.includes(badge))).length;
}

/** The window title: the app's name, with the number of entries that need attention. */
export function windowTitle(count: number): string {
  return count === 0 ? 'Regvault' : `Regvault (${count} need${count === 1 ? 's' : ''} attention)`;
}

function note(entry: Entry, kind: ReminderKind, detail: string): DueReminder {
  const what: Record<ReminderKind, string> = {
    'expires-soon': describeBadge('expires-soon'),
    expired: describeBadge('expired'),
    'rotation-due': describeBadge('rotation-due'),
    'refresh-failed': 'Token refresh failed',
  };
  return {
    // One notification per credential and kind: a new secret (secretUpdatedAt) may remind again.
    key: `${entry.id}:${kind}:${entry.secretUpdatedAt}`,
    entryId: entry.id,
    title: `${what[kind]}: ${entry.name}`,
    body: `${displayRegistry(entry.registry)} — ${detail}`,
  };
}

/**
 * The reminders due at `now`: an expiring or expired token (not for entries refreshed by a command, which
 * notify only when the refresh fails) and a rotation that is due.
 */
export function dueReminders(
  entries: readonly Entry[],
  now: number,
  refreshed: (entry: Entry) => boolean,
): DueReminder[] {
  const due: DueReminder[] = [];
  for (const entry of entries) {
    const badges = entryStatus(entry, now);
    if (!refreshed(entry)) {
      if (badges.includes('expired'))
        due.push(note(entry, 'expired', 'Edit the registry and enter a new password/token.'));
      else if (badges.includes('expires-soon'))
        due.push(
          note(entry, 'expires-soon', 'Check token expiration policies for your registry and renew it in time.'),
        );
    }
    if (badges.includes('rotation-due'))
      due.push(note(entry, 'rotation-due', 'Rotate credentials regularly: enter a new password/token.'));
  }
  return due;
}

/** The reminder for a failed refresh, with the command's advice. */
export function refreshFailedReminder(entry: Entry, message: string, at: number): DueReminder {
  return { ...note(entry, 'refresh-failed', message), key: `${entry.id}:refresh-failed:${at}` };
}

/** The next moment a badge appears (expires soon, expired, rotation due) after `now`, or undefined. */
export function nextChangeAt(entries: readonly Entry[], now: number): number | undefined {
  let next: number | undefined;
  const consider = (at: number | undefined) => {
    if (at !== undefined && at > now && (next === undefined || at < next)) next = at;
  };
  for (const entry of entries) {
    if (entry.expiresAt !== undefined) {
      consider(entry.expiresAt - expiresSoonWindow(entry));
      consider(entry.expiresAt);
    }
    consider(rotationDueAt(entry));
  }
  return next;
}
