import { access, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';

const BACKUP_MODE = 0o600; // a backup holds the same secrets as config.json, whatever that file's mode
const DEFAULT_KEEP = 5;

function backupPrefix(fileName: string): string {
  return `${fileName}.regvault-backup-`;
}

// 2024-05-01T10:20:30.123Z → 20240501T102030123Z: sortable and valid on every file system.
function stamp(now: Date): string {
  return now.toISOString().replace(/[-:.]/g, '');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Saves the previous config text as `<name>.regvault-backup-<time>` in `dir` and keeps
 * only the newest `keep` of them. Returns the backup's path.
 */
export async function writeBackup(
  dir: string,
  fileName: string,
  text: string,
  now: Date,
  keep = DEFAULT_KEEP,
): Promise<string> {
  const base = join(dir, backupPrefix(fileName) + stamp(now));
  let path = base;
  for (let attempt = 1; (await exists(path)) && attempt < 10; attempt += 1) path = `${base}-${attempt}`;
  await writeFileAtomic(path, text, BACKUP_MODE);
  await pruneBackups(dir, fileName, keep);
  return path;
}

/** The backups of a config file, oldest first. */
export async function listBackups(dir: string, fileName: string): Promise<string[]> {
  const prefix = backupPrefix(fileName);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => join(dir, name));
}

async function pruneBackups(dir: string, fileName: string, keep: number): Promise<void> {
  const backups = await listBackups(dir, fileName);
  for (const path of backups.slice(0, Math.max(0, backups.length - keep))) {
    await unlink(path).catch(() => undefined);
  }
}
