import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../ipc/handlers';
import { createDispatch } from '../ipc/dispatch';
import { memoryClipboard } from './fixtures/memory-clipboard';

const origin = 'app://regvault';
const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function setup() {
  const home = await mkdtemp(join(tmpdir(), 'regvault-backup-files-'));
  homes.push(home);
  const context = {
    appName: 'Regvault',
    appVersion: '0',
    home,
    env: {},
    platform: 'linux' as const,
    clipboard: memoryClipboard().clipboard,
  };
  const dispatch = createDispatch(createHandlers(context), origin);
  const call = (channel: string, input?: unknown) =>
    dispatch(channel, input, { url: `${origin}/index.html`, isMainFrame: true });
  return { home, call };
}

const bytes = Buffer.from([0x52, 0x56, 0, 1, 2, 255]);

describe('backup files in main', () => {
  it('saves the sealed bytes where the user chose, as they were, readable by the owner only', async () => {
    const { home, call } = await setup();
    const saved = await call('backup:save', {
      fileName: 'regvault-backup-2026-12-08.rvbackup',
      data: bytes.toString('base64'),
    });
    expect(saved).toEqual({
      ok: true,
      value: { path: join(home, 'Regvault Backups', 'regvault-backup-2026-12-08.rvbackup') },
    });
    const path = (saved as { value: { path: string } }).value.path;
    expect(await readFile(path)).toEqual(bytes);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a name that is not a backup name (no path can be smuggled in)', async () => {
    const { call } = await setup();
    for (const fileName of ['../../.bashrc', 'regvault-backup-2026-12-08.rvbackup/../x', 'notes.txt']) {
      const refused = await call('backup:save', { fileName, data: bytes.toString('base64') });
      expect(refused).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });

  it('automatic backups keep the newest N of its own files and leave other files alone', async () => {
    const { home, call } = await setup();
    const folder = join(home, 'auto');
    await mkdir(folder);
    await writeFile(join(folder, 'keep-me.txt'), 'x');
    const days = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
    let removed: string[] = [];
    for (const day of days) {
      const written = await call('backup:write-auto', {
        folder,
        fileName: `regvault-backup-${day}.rvbackup`,
        data: bytes.toString('base64'),
        keep: 2,
      });
      removed = (written as { value: { removed: string[] } }).value.removed;
    }
    expect(removed).toEqual(['regvault-backup-2026-12-02.rvbackup']);
    expect((await readdir(folder)).sort()).toEqual([
      'keep-me.txt',
      'regvault-backup-2026-12-03.rvbackup',
      'regvault-backup-2026-12-04.rvbackup',
    ]);
    const relative = await call('backup:write-auto', {
      folder: 'auto',
      fileName: 'regvault-backup-2026-12-05.rvbackup',
      data: 'AA==',
      keep: 2,
    });
    expect(relative).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});
