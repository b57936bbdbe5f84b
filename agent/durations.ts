// Durations on the command line (`--max-age 1h`, `--wait 10m`) and how old a copy is, for logs.

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of "90s", "10m", "1h", "2d" or "250ms"; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const [, amount = '', unit = ''] = match;
  return Math.round(Number(amount) * (units[unit] ?? 0));
}

/** "4 minutes", "just now", "3 days" (for "the copy synced 4 minutes ago"). */
export function describeAge(ms: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms < 1000) return 'less than a second';
  if (ms < 60_000) return plural(Math.floor(ms / 1000), 'second');
  if (ms < 3_600_000) return plural(Math.floor(ms / 60_000), 'minute');
  if (ms < 86_400_000) return plural(Math.floor(ms / 3_600_000), 'hour');
  return plural(Math.floor(ms / 86_400_000), 'day');
}
