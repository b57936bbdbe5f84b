// "Install command-line helper": puts docker-credential-regvault on the user's PATH, at a user-level
// location (no administrator rights): ~/.local/bin on Linux and macOS, %LOCALAPPDATA%\Programs\
// Regvault\bin on Windows. What it installs is the launcher shipped in the app's resources (a link
// to it; a forwarding .cmd on Windows), or for an AppImage, whose mount point changes every run, a
// two-line script that runs the AppImage itself in helper mode.
import { lstat, mkdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
import { HELPER_NAME } from './protocol';

/** Where the launcher comes from: the shipped one (null in a development build) or the AppImage. */
export type InstallSource = Readonly<{ launcher: string | null; appImage?: string }>;

/** What installing needs to know about the machine. */
export type InstallContext = Readonly<{
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  source: InstallSource;
}>;

/** The install as Settings shows it. */
export type InstallState = Readonly<{
  target: string;
  installed: boolean;
  onPath: boolean;
  canInstall: boolean;
  note?: string;
}>;

/** Why installing failed. */
export type InstallFailure = Failure<'target-changed' | 'target-taken' | 'not-available' | 'io'>;

/** The user-level path the helper is installed at. */
export function installTarget(context: InstallContext): string {
  if (context.platform === 'win32') {
    const local = context.env['LOCALAPPDATA'] ?? join(context.home, 'AppData', 'Local');
    return join(local, 'Programs', 'Regvault', 'bin', `${HELPER_NAME}.cmd`);
  }
  return join(context.home, '.local', 'bin', HELPER_NAME);
}

/** What the target should hold: a link to the launcher, or the text of a small script. */
function wanted(context: InstallContext): Readonly<{ link: string } | { text: string }> | null {
  const { launcher, appImage } = context.source;
  if (context.platform !== 'win32' && appImage !== undefined) {
    return { text: `#!/bin/sh\nexec "${appImage}" --docker-credential-helper "$@"\n` };
  }
  if (launcher === null) return null;
  if (context.platform === 'win32') return { text: `@"${launcher}" %*\r\n` };
  return { link: launcher };
}

async function holds(target: string, want: Readonly<{ link: string } | { text: string }>): Promise<boolean | null> {
  try {
    const info = await lstat(target);
    if ('link' in want) return info.isSymbolicLink() && (await readlink(target)) === want.link;
    return info.isFile() && (await readFile(target, 'utf8')) === want.text;
  } catch {
    return null; // nothing there
  }
}

function isOnPath(dir: string, env: InstallContext['env']): boolean {
  const path = env['PATH'] ?? env['Path'] ?? '';
  return path.split(delimiter).some((entry) => entry.replace(/[\\/]+$/, '') === dir);
}

/** Where the helper goes and whether it is there, for Settings. */
export async function describeInstall(context: InstallContext): Promise<InstallState> {
  const target = installTarget(context);
  const want = wanted(context);
  const onPath = isOnPath(dirname(target), context.env);
  if (want === null) {
    return {
      target,
      installed: false,
      onPath,
      canInstall: false,
      note: 'This is a development build: the command-line helper ships with the installed app. Run dist/helper/docker-credential-regvault.cjs with node instead.',
    };
  }
  const installed = (await holds(target, want)) === true;
  const note = onPath ? undefined : `${dirname(target)} is not on your PATH yet: add it so Docker finds the helper.`;
  return { target, installed, onPath, canInstall: true, ...(note !== undefined ? { note } : {}) };
}

/** Installs the helper at the target the user confirmed; never replaces a file that is not Regvault's. */
export async function installHelper(
  context: InstallContext,
  confirmed: string,
): Promise<Result<InstallState, InstallFailure>> {
  const target = installTarget(context);
  if (confirmed !== target) {
    return fail(
      'target-changed',
      'The install location changed since you confirmed it. Check the new one and confirm again.',
    );
  }
  const want = wanted(context);
  if (want === null) return fail('not-available', 'This build has no command-line helper to install.');
  const present = await holds(target, want);
  if (present === false && !(await isOurs(target))) {
    return fail(
      'target-taken',
      `${target} already exists and is not Regvault's helper. Remove or rename it, then install again.`,
    );
  }
  try {
    await mkdir(dirname(target), { recursive: true });
    if (present === false) await rm(target, { force: true });
    if (present !== true) {
      if ('link' in want) await symlink(want.link, target);
      else await writeFile(target, want.text, { mode: 0o755 });
    }
  } catch (error) {
    return fail(
      'io',
      `Could not write ${target} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the folder's permissions.`,
    );
  }
  return ok(await describeInstall(context));
}

/** An older install of ours (a link to another copy of the launcher, or our script) may be replaced. */
async function isOurs(target: string): Promise<boolean> {
  try {
    const info = await lstat(target);
    if (info.isSymbolicLink()) return (await readlink(target)).includes(HELPER_NAME);
    return (await readFile(target, 'utf8')).includes('--docker-credential-helper');
  } catch {
    return true;
  }
}
