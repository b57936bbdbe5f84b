// The .ics export parsed back with ical.js, a maintained iCalendar (RFC 5545) library.
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../entries/entry';
import { calendarEventFor, icsFileName, toIcs } from './calendar';

const DAY = 86_400_000;
const base: Entry = {
  id: 'e1',
  registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  name: 'ECR, production; “blue”',
  username: 'AWS',
  secret: 'never-in-a-calendar',
  secretUpdatedAt: Date.UTC(2026, 10, 29, 8, 0, 0),
  notes: '',
  pipelines: [],
  createdAt: 0,
  updatedAt: 0,
  createdBy: 'a',
  updatedBy: 'a',
};

function parse(text: string) {
  const component = new ICAL.Component(ICAL.parse(text));
  const event = new ICAL.Event(component.getFirstSubcomponent('vevent') ?? undefined);
  return { component, event };
}

describe('calendar export', () => {
  it('writes an expiry event that ical.js reads back exactly, with an alarm and no secret', () => {
    const entry = { ...base, expiresAt: base.secretUpdatedAt + 12 * 3_600_000 };
    const event = calendarEventFor(entry);
    if (event === undefined) throw new Error('no event');
    const text = toIcs(event, 'e1-expiry@regvault', Date.UTC(2026, 10, 29, 9, 0, 0));
    const { event: parsed } = parse(text);
    expect(parsed.uid).toBe('e1-expiry@regvault');
    expect(parsed.startDate.toJSDate().getTime()).toBe(entry.expiresAt);
    expect(parsed.summary).toBe('ECR, production; “blue”: registry token expires');
    expect(parsed.description).toContain('For ECR, regenerate the authorization token');
    expect(parsed.component.getFirstSubcomponent('valarm')?.getFirstPropertyValue('trigger')?.toString()).toBe('-PT1H');
    expect(text).not.toContain(entry.secret);
    expect(text.split('\r\n').every((line) => new TextEncoder().encode(line).length <= 75)).toBe(true);
    expect(icsFileName(entry, event.reason)).toBe('regvault-ecr-production-blue-expiry.ics');
  });

  it('picks the sooner of expiry and rotation, and nothing without either', () => {
    const rotating = { ...base, rotateEveryDays: 90 };
    expect(calendarEventFor(rotating)).toMatchObject({ reason: 'rotation', at: base.secretUpdatedAt + 90 * DAY });
    expect(calendarEventFor({ ...rotating, expiresAt: base.secretUpdatedAt + DAY })).toMatchObject({
      reason: 'expiry',
    });
    expect(calendarEventFor(base)).toBeUndefined();
  });

  it('folds long lines without breaking a character', () => {
    const entry = { ...base, name: 'é'.repeat(120), expiresAt: base.secretUpdatedAt + DAY };
    const event = calendarEventFor(entry);
    if (event === undefined) throw new Error('no event');
    const { event: parsed } = parse(toIcs(event, 'u@regvault', 0));
    expect(parsed.summary).toBe(`${'é'.repeat(120)}: registry token expires`);
  });
});
