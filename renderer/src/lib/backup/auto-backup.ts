// Automatic local backups: while unlocked, once a day, every vault sealed with the profile's recovery key (no
// passphrase to type) into the folder the user chose; main keeps the newest N files there.
import nacl from 'tweetnacl';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { backupFileName } from '../../../../shared/backup/backup-payload';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import { describeError } from '../describe-error';
import type { UnlockedProfile } from '../vault-db';
import { makeBackupFile } from './collect-backup';

/** How often a backup is due. */
export const AUTO_BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;

// How often the schedule is looked at while unlocked (the app may stay open for days).
const CHECK_EVERY_MS = 60 * 60 * 1000;

/** Writes an automatic backup now (also what "Back up now" does); the path written, or why not. */
export async function runAutoBackup(
  session: UnlockedProfile,
  now: number = Date.now(),
): Promise<Result<string, Failure>> {
  const auto = session.settings.autoBackup;
  if (!auto) return fail('not-set-up', 'Choose a folder for automatic backups first.');
  try {
    const listed = await session.listVaults();
    if (!listed.ok) return listed;
    const ids = listed.value.filter((v) => v.problem === null).map((v) => v.id);
    const file = await makeBackupFile(session, ids, { kind: 'recovery-key' }, nacl.randomBytes, now);
    const written = await window.regvault.backup.writeAuto({
      folder: auto.folder,
      fileName: backupFileName(now),
      data: encodeBase64(file),
      keep: auto.keep,
    });
    if (!written.ok) return written;
    const saved = await session.updateSettings({ ...session.settings, autoBackup: { ...auto, lastAt: now } });
    return saved.ok ? ok(written.value.path) : saved;
  } catch (error) {
    return fail('backup-failed', describeError(error));
  }
}

/** True when automatic backups are on and the last one is a day old (or there is none). */
export function isBackupDue(session: UnlockedProfile, now: number): boolean {
  const auto = session.settings.autoBackup;
  return auto !== undefined && now - (auto.lastAt ?? 0) >= AUTO_BACKUP_EVERY_MS;
}

/** Runs due backups now and every hour while the session is unlocked; `report` hears each outcome. Returns the stop. */
export function startAutoBackups(
  session: UnlockedProfile,
  report: (result: Result<string, Failure>) => void = () => undefined,
): () => void {
  let running = false;
  const check = async () => {
    if (running || session.locked || !isBackupDue(session, Date.now())) return;
    running = true;
    try {
      report(await runAutoBackup(session));
    } finally {
      running = false;
    }
  };
  void check();
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  return () => clearInterval(timer);
}
