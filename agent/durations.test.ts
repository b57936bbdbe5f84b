import { expect, it } from 'vitest';
import { describeAge, parseDuration } from './durations';

it('reads durations and says ages', () => {
  expect([
    parseDuration('1h'),
    parseDuration('30m'),
    parseDuration('90s'),
    parseDuration('250ms'),
    parseDuration('2d'),
  ]).toEqual([3_600_000, 1_800_000, 90_000, 250, 172_800_000]);
  for (const bad of ['', '1', 'h', '1 hour', '-1h']) expect(parseDuration(bad)).toBeNull();
  expect([describeAge(500), describeAge(1000), describeAge(120_000), describeAge(7_200_000)]).toEqual([
    'less than a second',
    '1 second',
    '2 minutes',
    '2 hours',
  ]);
});
