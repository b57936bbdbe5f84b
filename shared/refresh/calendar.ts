/**
 * "Add to calendar" (issue #17, the product page's "Set calendar reminders for token rotation"): one
 * iCalendar event (RFC 5545) for an entry's expiry or next rotation, with a display alarm. It names
 * the entry and its registry, never a secret.
 */
import { encodeUtf8 } from '../crypto/bytes';
import { displayRegistry } from '../registry/registry-key';
import { rotationDueAt } from '../entries/status';
import type { Entry } from '../entries/entry';

/** What the event is about: the secret's expiry or its rotation date. */
export type CalendarReason = 'expiry' | 'rotation';

/** The event an entry gets, or undefined when it has neither an expiry nor a rotation schedule. */
export type CalendarEvent = Readonly<{ reason: CalendarReason; at: number; summary: string; description: string }>;

const ALARM_BEFORE = '-PT1H';

/** The next date worth a reminder: the sooner of expiry and rotation due, undefined when it has neither. */
export function calendarEventFor(entry: Entry): CalendarEvent | undefined {
  const rotation = rotationDueAt(entry);
  const candidates: [CalendarReason, number][] = [];
  if (entry.expiresAt !== undefined) candidates.push(['expiry', entry.expiresAt]);
  if (rotation !== undefined) candidates.push(['rotation', rotation]);
  const [reason, at] = candidates.sort((a, b) => a[1] - b[1])[0] ?? [];
  if (reason === undefined || at === undefined) return undefined;
  const registry = displayRegistry(entry.registry);
  const summary =
    reason === 'expiry' ? `${entry.name}: registry token expires` : `${entry.name}: rotate the registry credential`;
  const advice =
    reason === 'expiry'
      ? 'Edit the registry in Regvault and enter a new password/token (For ECR, regenerate the authorization token), then Test login.'
      : 'Create a new password/token at the registry, enter it in Regvault (Edit), then Test login.';
  const description = `${registry} (user ${entry.username}). ${advice}`;
  return { reason, at, summary, description };
}

/** Escapes a TEXT value (RFC 5545 §3.3.11). */
function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** A UTC DATE-TIME, e.g. 20261129T154500Z. */
function formatUtc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

/** Folds a content line at 75 octets, never inside a UTF-8 sequence (RFC 5545 §3.1). */
function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = encodeUtf8(char).length;
    const limit = parts.length === 0 ? 75 : 74; // continuation lines start with a space
    if (size + bytes > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** The .ics text of one event (VCALENDAR with a VEVENT and a display alarm an hour ahead). */
export function toIcs(event: CalendarEvent, uid: string, now: number): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Regvault//Token reminders//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${formatUtc(now)}`,
    `DTSTART:${formatUtc(event.at)}`,
    `DTEND:${formatUtc(event.at + 15 * 60_000)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(event.summary)}`,
    `TRIGGER:${ALARM_BEFORE}`,
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** A file name for the event, e.g. `regvault-ecr-prod-expiry.ics`. */
export function icsFileName(entry: Entry, reason: CalendarReason): string {
  const slug =
    entry.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'registry';
  return `regvault-${slug.slice(0, 40)}-${reason}.ics`;
}
