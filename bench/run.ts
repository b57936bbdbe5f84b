// `npm run bench`: runs every benchmark in its own process (so one's heap does not skew another's)
// and prints one JSON object: { machine, <bench>: <its JSON> }. Progress goes to stderr.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

const benches = [
  'unlock',
  'entries-live',
  'entries-ui',
  'reuse',
  'sync',
  'sync-postgres',
  'member-log',
  'judge',
  'judge-ui',
  'backup',
] as const;
const only = process.argv.slice(2);
const results: Record<string, unknown> = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavg: loadavg(),
  },
};

for (const name of benches) {
  if (only.length > 0 && !only.includes(name)) continue;
  const file = join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  try {
    results[name] = JSON.parse(run.stdout);
  } catch {
    results[name] = {
      error: `exited ${run.status ?? run.signal}; output was not JSON`,
      output: run.stdout.slice(-2000),
    };
  }
}

process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
