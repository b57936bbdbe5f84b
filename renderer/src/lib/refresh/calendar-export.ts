import type { Entry } from '../../../../shared/entries';
import { calendarEventFor, icsFileName, toIcs } from '../../../../shared/refresh/calendar';

/** "Add to calendar": downloads an .ics event for the entry's expiry or next rotation; false when it has neither. */
export function exportCalendarEvent(entry: Entry, now: number = Date.now()): boolean {
  const event = calendarEventFor(entry);
  if (event === undefined) return false;
  // Stable per entry and date, so importing the same reminder twice updates one event.
  const uid = `${entry.id}-${event.reason}-${event.at}@regvault`;
  const url = URL.createObjectURL(new Blob([toIcs(event, uid, now)], { type: 'text/calendar;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = icsFileName(entry, event.reason);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}
