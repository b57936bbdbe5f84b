// Runs the `regvault` agent CLI (and its docker-credential-regvault) as a pipeline job would: a child
// process with only the environment given — a temp HOME, REGVAULT_AGENT_KEY and the state — from the
// TypeScript sources (the packed bundle is tested in package-smoke.test.ts).
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const tsx = join(root, 'node_modules/tsx/dist/loader.mjs');

/** What a run printed and how it exited. */
export type CliRun = Readonly<{ code: number; stdout: string; stderr: string }>;

/** A running command, with a way to wait for a line on stderr (progress) and for its end. */
export type CliProcess = Readonly<{
  /** Resolves with the first stderr line matching `pattern` (rejects if the process ends first). */
  waitForLine: (pattern: RegExp) => Promise<string>;
  done: Promise<CliRun>;
}>;

/** The environment of a job: PATH (with `binDir` first, where the helper launcher is) and `env`. */
export function jobEnv(home: string, env: Readonly<Record<string, string>>, binDir?: string): Record<string, string> {
  const path = [binDir, `${root}/node_modules/.bin`, process.env['PATH'] ?? ''].filter(Boolean).join(':');
  return { PATH: path, HOME: home, ...env };
}

/** Starts `regvault <args>` with exactly `env` (no variable of this process leaks in). */
export function startAgent(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  command: readonly string[] = agentCommand(),
): CliProcess {
  const [program = process.execPath, ...prefix] = command;
  const child = spawn(program, [...prefix, ...args], {
    cwd: env['HOME'] ?? root,
    env: { ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) {
      const line = stderr.split('\n').find((l) => waiter.pattern.test(l));
      if (line === undefined) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const done = new Promise<CliRun>((resolveRun) => {
    child.once('close', (code) => {
      for (const waiter of waiters)
        waiter.reject(new Error(`regvault ${args.join(' ')} ended (${code}) before ${waiter.pattern}: ${stderr}`));
      resolveRun({ code: code ?? 1, stdout, stderr });
    });
  });
  return {
    done,
    waitForLine: (pattern) =>
      new Promise((resolveLine, reject) => {
        const line = stderr.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return resolveLine(line);
        waiters.push({ pattern, resolve: resolveLine, reject });
      }),
  };
}

/** Runs `regvault <args>` to its end. */
export function runAgent(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  command?: readonly string[],
): Promise<CliRun> {
  return startAgent(args, env, command).done;
}

/** How to run the CLI from the sources. */
export function agentCommand(): string[] {
  return [process.execPath, '--import', tsx, join(root, 'agent/main.ts')];
}

/** Writes `<binDir>/docker-credential-regvault`, the agent package's helper run from the sources. */
export async function writeAgentHelper(binDir: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  const path = join(binDir, 'docker-credential-regvault');
  await writeFile(
    path,
    `#!/bin/sh\nexec '${process.execPath}' --import '${tsx}' '${join(root, 'agent/helper-main.ts')}' "$@"\n`,
  );
  await chmod(path, 0o755);
  return path;
}
