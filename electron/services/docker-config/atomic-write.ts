import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readlink, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const NEW_FILE_MODE = 0o600; // config.json holds secrets
const NEW_DIR_MODE = 0o700;
const MAX_SYMLINK_HOPS = 32;
const TEMP_MARKER = '.regvault-tmp-';
const STALE_TEMP_MS = 60_000;

/** Where a write to `path` must land: through symlinks to their final target, so the link stays a link. */
export async function resolveWriteTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop += 1) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return current; // a dangling link creates its target
      throw error;
    }
    if (!info.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new Error(`${path} is a chain of more than ${MAX_SYMLINK_HOPS} symbolic links`);
}

/** The permission bits of an existing file, or null when there is none. */
export async function readMode(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Creates the directory (0700, as Docker does) when it is missing. */
export async function ensureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: NEW_DIR_MODE });
}

/**
 * Replaces `target` so that a reader (or a crash) only ever sees the old or the new
 * bytes: temp file in the same directory, fsync, rename, fsync of the directory.
 * `target` must already be symlink-resolved. The old mode is kept; new files get 0600.
 */
export async function writeFileAtomic(target: string, text: string | Uint8Array, mode?: number): Promise<void> {
  const dir = dirname(target);
  await ensureDirectory(dir);
  const finalMode = mode ?? (await readMode(target)) ?? NEW_FILE_MODE;
  const temp = join(dir, `.${basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', finalMode);
  try {
    await handle.chmod(finalMode); // open() applies the umask; the old mode must survive as it was
    await (typeof text === 'string' ? handle.writeFile(text, 'utf8') : handle.writeFile(text));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

// Makes the rename itself durable; Windows cannot open a directory for fsync, and NTFS journals renames anyway.
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

// A temp file is abandoned when the process that made it is gone, or (pid reused, other machine) when it is old.
function isAbandoned(name: string, mtimeMs: number, now: number): boolean {
  if (now - mtimeMs > STALE_TEMP_MS) return true;
  const pid = Number(/\.regvault-tmp-(\d+)-/.exec(name)?.[1]);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid);
}

/** Deletes temp files an interrupted write left behind; never one a live writer may still rename. */
export async function removeStaleTempFiles(dir: string, now: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names.filter((candidate) => candidate.includes(TEMP_MARKER))) {
    const path = join(dir, name);
    try {
      if (isAbandoned(name, (await lstat(path)).mtimeMs, now)) await unlink(path);
    } catch {
      // another process removed it first
    }
  }
}
