import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join, posix, win32 } from 'node:path';
import { z } from 'zod';
import { failure, success } from './types';
import type { DockerConfigOptions, DockerConfigResult } from './types';

// The exact text docker-credential-helpers print for a missing credential (credentials.errCredentialsNotFoundMessage).
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
const DEFAULT_TIMEOUT_MS = 60_000; // keychain helpers may wait for the user to confirm a prompt

const getOutputSchema = z.looseObject({ ServerURL: z.string().optional(), Username: z.string(), Secret: z.string() });

/** Username and secret a helper holds for one server URL. */
export type HelperCredential = Readonly<{ username: string; secret: string }>;

type HelperRun = Readonly<{ code: number | null; stdout: string; stderr: string }>;

/** Finds `docker-credential-<name>` on the PATH of the given env, as Docker's exec lookup does. */
export async function findHelperExecutable(
  helper: string,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<string>> {
  const name = `docker-credential-${helper}`;
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return failure(
      'helper-not-found',
      `The credential helper name "${helper}" in config.json is not a plain name; fix credsStore/credHelpers.`,
    );
  }
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const searchPath = env['PATH'] ?? env['Path'] ?? '';
  const extensions = platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  const isAbsolute = platform === 'win32' ? win32.isAbsolute : posix.isAbsolute;
  for (const dir of searchPath.split(delimiter)) {
    // Like Go's exec.LookPath (which Docker uses): an empty or relative PATH entry would run a
    // program from whatever folder Regvault happens to be in, so it is skipped.
    if (dir.length === 0 || !isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension.toLowerCase());
      if (await isExecutableFile(candidate, platform)) return success(candidate);
    }
  }
  return failure(
    'helper-not-found',
    `${name} was not found on PATH. Install it (it ships with Docker Desktop or docker-credential-helpers), or remove "${helper}" from credsStore/credHelpers in config.json.`,
  );
}

/** True when `path` is a file this process may execute (on Windows: any file; PATHEXT decides). */
export async function isExecutableFile(path: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runHelper(
  executable: string,
  action: string,
  input: string,
  options: DockerConfigOptions,
): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [action], {
      env: { ...(options.env ?? process.env) },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.helperTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      windowsHide: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    child.stdin.end(input);
  });
}

async function callHelper(
  helper: string,
  action: string,
  input: string,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<HelperRun>> {
  const executable = await findHelperExecutable(helper, options);
  if (!executable.ok) return executable;
  try {
    return success(await runHelper(executable.value, action, input, options));
  } catch (error) {
    return failure(
      'helper-failed',
      `docker-credential-${helper} ${action} could not run (${(error as Error).message}). Check that the helper is installed correctly.`,
    );
  }
}

/**
 * Never quotes what the helper printed: its stdout may echo the credential it was given (or
 * hold one), and messages end up on screen and in logs. The user can run the helper to see it.
 */
function describeFailure(helper: string, action: string, run: HelperRun): string {
  const how = run.code === null ? 'was stopped before finishing (timed out?)' : `exited with code ${String(run.code)}`;
  return `docker-credential-${helper} ${action} ${how}. Unlock your keychain or check the helper's own setup (run docker-credential-${helper} list in a terminal to see its own message), then try again.`;
}

/** `get`: the helper's credential for a server URL, or null when it holds none. */
export async function getHelperCredential(
  helper: string,
  serverUrl: string,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<HelperCredential | null>> {
  const called = await callHelper(helper, 'get', serverUrl, options);
  if (!called.ok) return called;
  const run = called.value;
  if (run.code !== 0) {
    if (run.stdout.trim() === NOT_FOUND_MESSAGE) return success(null);
    return failure('helper-failed', describeFailure(helper, 'get', run));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    return failure(
      'helper-failed',
      `docker-credential-${helper} get printed something that is not JSON. Check that it is a Docker credential helper.`,
    );
  }
  const shape = getOutputSchema.safeParse(parsed);
  if (!shape.success) {
    return failure(
      'helper-failed',
      `docker-credential-${helper} get answered without Username/Secret. Check that it is a Docker credential helper.`,
    );
  }
  return success({ username: shape.data.Username, secret: shape.data.Secret });
}

/** `store`: hands a credential to the helper, exactly as docker login does. */
export async function storeHelperCredential(
  helper: string,
  serverUrl: string,
  credential: HelperCredential,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<void>> {
  const input = JSON.stringify({ ServerURL: serverUrl, Username: credential.username, Secret: credential.secret });
  const called = await callHelper(helper, 'store', input, options);
  if (!called.ok) return called;
  if (called.value.code !== 0) return failure('helper-failed', describeFailure(helper, 'store', called.value));
  return success(undefined);
}

/** `erase`: removes a server URL from the helper; one that is already gone counts as erased. */
export async function eraseHelperCredential(
  helper: string,
  serverUrl: string,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<void>> {
  const called = await callHelper(helper, 'erase', serverUrl, options);
  if (!called.ok) return called;
  const run = called.value;
  if (run.code !== 0 && run.stdout.trim() !== NOT_FOUND_MESSAGE)
    return failure('helper-failed', describeFailure(helper, 'erase', run));
  return success(undefined);
}
