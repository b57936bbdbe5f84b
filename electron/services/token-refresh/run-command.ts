// Runs a refresh command (issue #17) the one safe way: an argument vector without a shell, the
// program found on absolute PATH entries only, a clean environment holding just PATH (plus what
// Windows needs to start a process), a timeout, bounded output. Its output is never logged: the
// token goes back to the renderer, stderr only redacted and only into the failure shown to the user.
import { spawn } from 'node:child_process';
import { delimiter, join, posix, win32 } from 'node:path';
import { fail, failWith, ok, type Failure, type Result } from '../../../shared/result';
import { isExecutableFile } from '../docker-config/credential-helper';
import { redactOutput } from './redact';

/** Why a refresh command gave no token. */
export type RefreshRunCode = 'command-not-found' | 'command-failed' | 'command-timeout' | 'no-token';

/** A failed refresh: the code, what to do, and the command's stderr with secrets removed. */
export type RefreshRunFailure = Failure<RefreshRunCode> & Readonly<{ stderr?: string }>;

/** How a refresh command runs; tests shorten the timeout and pass their own PATH. */
export type RefreshRunOptions = Readonly<{
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  timeoutMs?: number;
  cwd?: string;
}>;

/** How long a command may take: CLIs may refresh their own sign-in first. */
export const REFRESH_TIMEOUT_MS = 60_000;

const MAX_OUTPUT = 65_536;

/** The product page's advice for a token that could not be fetched. */
export const REFRESH_ADVICE =
  'Check that the command works in a terminal and that you are signed in to its cloud CLI. For ECR, regenerate the authorization token; check token expiration policies for your registry.';

type Run = Readonly<{ code: number | null; timedOut: boolean; stdout: string; stderr: string; overflow: boolean }>;

/** Finds a program on the absolute entries of PATH (a relative entry would run whatever sits in the current folder). */
export async function findProgram(
  name: string,
  env: RefreshRunOptions['env'],
  platform: NodeJS.Platform,
): Promise<string | null> {
  const isAbsolute = platform === 'win32' ? win32.isAbsolute : posix.isAbsolute;
  const extensions = platform === 'win32' ? ['', ...(env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  if (name.includes('/') || (platform === 'win32' && name.includes('\\'))) {
    return isAbsolute(name) && (await isExecutableFile(name, platform)) ? name : null;
  }
  for (const dir of (env['PATH'] ?? env['Path'] ?? '').split(delimiter)) {
    if (dir.length === 0 || !isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension.toLowerCase());
      if (await isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return null;
}

/** The environment a refresh command sees: PATH, and on Windows what a process needs to start at all. */
export function cleanEnv(env: RefreshRunOptions['env'], platform: NodeJS.Platform): Record<string, string> {
  const names = platform === 'win32' ? ['PATH', 'Path', 'SystemRoot', 'PATHEXT'] : ['PATH'];
  const clean: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) clean[name] = value;
  }
  return clean;
}

function spawnCommand(program: string, args: readonly string[], options: RefreshRunOptions): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(program, [...args], {
      shell: false,
      env: cleanEnv(options.env, options.platform),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let overflow = false;
    let timedOut = false;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > 2 * MAX_OUTPUT) {
        overflow = true;
        child.kill('SIGKILL');
      } else into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? REFRESH_TIMEOUT_MS);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      resolve({ code, timedOut, stdout: text(out), stderr: text(err), overflow });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
  });
}

/** The token a command printed: its output without surrounding whitespace, if it is one line. */
function tokenOf(stdout: string): string | null {
  const token = stdout.trim();
  return token.length > 0 && token.length <= MAX_OUTPUT && !/[\r\n]/.test(token) ? token : null;
}

/** Runs `argv` and returns the token it printed, or why not (stderr redacted). */
export async function runRefreshCommand(
  argv: readonly string[],
  options: RefreshRunOptions,
): Promise<Result<{ token: string }, RefreshRunFailure>> {
  const [name = '', ...args] = argv;
  const program = await findProgram(name, options.env, options.platform);
  if (program === null) {
    return fail(
      'command-not-found',
      `${name} was not found on PATH. Install it, or give its full path. ${REFRESH_ADVICE}`,
    );
  }
  const run = await spawnCommand(program, args, options);
  const token = tokenOf(run.stdout);
  const stderr = redactOutput(run.stderr, token === null ? [run.stdout.trim()] : [token]);
  const withStderr = (code: RefreshRunCode, message: string) =>
    failWith<RefreshRunFailure>({ code, message, ...(stderr ? { stderr } : {}) });
  if (run.timedOut)
    return withStderr('command-timeout', `${name} did not finish in time and was stopped. ${REFRESH_ADVICE}`);
  if (run.code !== 0)
    return withStderr('command-failed', `${name} failed (exit status ${run.code ?? 'none'}). ${REFRESH_ADVICE}`);
  if (token === null || run.overflow) {
    return withStderr('no-token', `${name} did not print a token (one line on standard output). ${REFRESH_ADVICE}`);
  }
  return ok({ token });
}
