// Output for CI logs: results on stdout (one JSON object with --json), progress and notes on stderr.
// Nothing here ever receives a secret; only `get` and `export` write one, straight to stdout.

/** Where a command writes. */
export type Output = Readonly<{
  json: boolean;
  /** A progress line or a note (stderr; silent with --json unless it is a warning). */
  note: (text: string) => void;
  /** A warning (stderr, also with --json). */
  warn: (text: string) => void;
  /** The human result lines (stdout), or nothing with --json. */
  result: (text: string) => void;
  /** The machine result (stdout, with --json only). */
  data: (value: unknown) => void;
}>;

/** Output over this process's streams. */
export function processOutput(json: boolean): Output {
  return {
    json,
    note: (text) => {
      if (!json) process.stderr.write(`${text}\n`);
    },
    warn: (text) => process.stderr.write(`regvault: ${text}\n`),
    result: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    data: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
  };
}
