// Structured logs: one JSON object per line on stdout. Events carry ids, counts, codes and timings —
// never a key, a signature, ciphertext or the database URL (it may hold a password).

/** Writes one log line `{"time","level","event",...fields}`. */
export function logEvent(event: string, fields: Readonly<Record<string, unknown>> = {}, level = 'info'): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

/** The message of an error, for a log line (an Error's message only: no stack, no attached values). */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
