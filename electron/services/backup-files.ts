// Main's side of backups: it writes sealed bytes it cannot read (the renderer seals them) where the user chose,
// atomically (temp file, fsync, rename), and keeps the newest N automatic backups of a folder.
import { readdir, unlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { fail, ok, type Result } from '../../shared/result';
import type { FileDialogs, ServiceContext } from './context';
import { resolveWriteTarget, writeFileAtomic } from './docker-config/atomic-write';

const AUTO_NAME = /^regvault-backup-\d{4}-\d{2}-\d{2}(-\d{1,4})?\.rvbackup$/;

/** The dialogs when main has none (tests without a window): save under ~/Regvault Backups. */
function fallbackDialogs(home: string): FileDialogs {
  const folder = join(home, 'Regvault Backups');
  return {
    chooseSavePath: (name) => Promise.resolve(join(folder, name)),
    chooseFolder: () => Promise.resolve(folder),
  };
}

function writeFailure(error: unknown): Result<never> {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  return fail(
    'backup-write-failed',
    `The backup could not be written (${code}): check that the folder exists, is writable and has free space, then try again.`,
  );
}

/** The backup handlers of the IPC table. */
export function createBackupFiles(context: ServiceContext) {
  const dialogs = context.dialogs ?? fallbackDialogs(context.home);
  return {
    async save(input: RequestOf<'backup:save'>): Promise<Result<ResponseOf<'backup:save'>>> {
      const chosen = await dialogs.chooseSavePath(input.fileName);
      if (chosen === null) return ok({ path: null });
      try {
        const target = await resolveWriteTarget(chosen);
        await writeFileAtomic(target, Buffer.from(input.data, 'base64'), 0o600);
        return ok({ path: target });
      } catch (error) {
        return writeFailure(error);
      }
    },

    async chooseFolder(): Promise<Result<ResponseOf<'backup:choose-folder'>>> {
      return ok({ folder: await dialogs.chooseFolder() });
    },

    async writeAuto(input: RequestOf<'backup:write-auto'>): Promise<Result<ResponseOf<'backup:write-auto'>>> {
      if (!isAbsolute(input.folder))
        return fail('bad-request', 'Choose the backup folder again (it must be a full path).');
      try {
        const target = join(input.folder, input.fileName);
        await writeFileAtomic(target, Buffer.from(input.data, 'base64'), 0o600);
        // Names carry the date, so sorting them sorts by age; only Regvault's own backup files are ever removed.
        const ours = (await readdir(input.folder)).filter((name) => AUTO_NAME.test(name)).sort();
        const removed = ours.slice(0, Math.max(0, ours.length - input.keep));
        for (const name of removed) await unlink(join(input.folder, name)).catch(() => undefined);
        return ok({ path: target, removed });
      } catch (error) {
        return writeFailure(error);
      }
    },
  };
}
