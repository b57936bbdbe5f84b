// Says, once, what the end-to-end specs run against; stops with the reason when nothing can run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentRuntime } from './harness';
import { describeRuntime } from './runtime';

export default function globalSetup(): void {
  const runtime = currentRuntime();
  const line = describeRuntime(runtime);
  console.log(line);
  // tests/run-all.mjs repeats it next to the final count.
  const results = resolve(import.meta.dirname, '../../test-results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'e2e-runtime.txt'), `${line}\n`);
  if (runtime.kind !== 'missing') return;
  // A setup problem, not a bug: the message alone, without a stack trace that reads like a crash.
  const error = new Error(runtime.message);
  error.stack = `Error: ${runtime.message}`;
  throw error;
}
