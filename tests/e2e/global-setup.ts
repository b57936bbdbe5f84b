// Says, once, what the end-to-end specs run against; stops with the reason when nothing can run.
import { currentRuntime } from './harness';
import { describeRuntime } from './runtime';

export default function globalSetup(): void {
  const runtime = currentRuntime();
  console.log(describeRuntime(runtime));
  if (runtime.kind !== 'missing') return;
  // A setup problem, not a bug: the message alone, without a stack trace that reads like a crash.
  const error = new Error(runtime.message);
  error.stack = `Error: ${runtime.message}`;
  throw error;
}
