// A real registry client for the credential-helper specs: Debian's skopeo, reading Docker's config.json
// (credHelpers) and running docker-credential-regvault from the PATH it is given.
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

/** The built helper script (npm run build). */
export const helperScript = join(root, 'dist/helper/docker-credential-regvault.cjs');

/** What skopeo printed and how it exited. */
export type SkopeoRun = Readonly<{ code: number; output: string }>;

/**
 * Writes `<dir>/docker-credential-regvault`: the launcher a test installs or puts on the PATH, running the
 * built script with node against the app's data directory (the shipped launcher runs the app binary instead).
 */
export async function writeTestLauncher(dir: string, dataDir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'docker-credential-regvault');
  await writeFile(
    path,
    `#!/bin/sh\nREGVAULT_DATA_DIR='${dataDir}' exec '${process.execPath}' '${helperScript}' "$@"\n`,
  );
  await chmod(path, 0o755);
  return path;
}

/** `skopeo list-tags` against `docker://<host>/<repository>` with `authfile`, PATH starting at `binDir`. */
export function skopeoListTags(host: string, authfile: string, binDir: string, repository = 'app'): Promise<SkopeoRun> {
  return runSkopeo(
    ['list-tags', '--tls-verify=false', '--authfile', authfile, `docker://${host}/${repository}`],
    binDir,
  );
}

/**
 * Runs `<binDir>/docker-credential-regvault <action>` with `input` on stdin, exactly as `docker login` (store)
 * and `docker logout` (erase) do. (skopeo 1.9 with --authfile writes base64 into the file and ignores credsStore,
 * and `docker login` needs a daemon, so the protocol's store and erase are driven directly.)
 */
export function runInstalledHelper(binDir: string, action: string, input: string): Promise<SkopeoRun> {
  return new Promise((done) => {
    const child = execFile(
      join(binDir, 'docker-credential-regvault'),
      [action],
      { timeout: 60_000 },
      (error, stdout) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: stdout });
      },
    );
    child.stdin?.end(input);
  });
}

function runSkopeo(args: readonly string[], binDir: string): Promise<SkopeoRun> {
  return new Promise((done) => {
    execFile(
      'skopeo',
      args,
      { env: { PATH: `${binDir}:${process.env['PATH'] ?? ''}`, HOME: binDir }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}
