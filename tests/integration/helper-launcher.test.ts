// docker-credential-regvault as shipped: electron-builder packs build/helper as resources/helper, and the
// launcher, linked onto the PATH by "Install command-line helper", runs the app's own binary in helper
// mode. Checked on a copy of the packaged layout (Linux and macOS) with a stand-in binary that records
// its arguments and stdin; the app binary's helper mode itself is checked in main-wiring.test.ts.
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installHelper, installTarget } from '../../electron/services/cred-helper/install';

const root = resolve(import.meta.dirname, '../..');
const launcherSource = join(root, 'build/helper/docker-credential-regvault');
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'regvault-launcher-'));
  dirs.push(dir);
  return dir;
}

/** A packaged layout: `<appDir>/<binary>` and `<appDir>/resources/helper/docker-credential-regvault`. */
async function packagedLayout(binary: string): Promise<{ launcher: string; record: string }> {
  const appDir = await tempDir();
  const record = join(appDir, 'record');
  await mkdir(join(appDir, 'resources', 'helper'), { recursive: true });
  await mkdir(join(appDir, ...binary.split('/').slice(0, -1)), { recursive: true });
  const app = join(appDir, binary);
  await writeFile(app, `#!/bin/sh\nprintf '%s ' "$@" > '${record}'\ncat >> '${record}'\necho served\n`);
  await chmod(app, 0o755);
  const launcher = join(appDir, 'resources', 'helper', 'docker-credential-regvault');
  await copyFile(launcherSource, launcher);
  await chmod(launcher, 0o755);
  return { launcher, record };
}

function run(path: string, args: readonly string[], input: string): Promise<string> {
  return new Promise((done, reject) => {
    const child = execFile(path, args, (error, stdout) => (error ? reject(error) : done(stdout)));
    child.stdin?.end(input);
  });
}

describe('the shipped launcher', () => {
  it('is packed as resources/helper by electron-builder', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    expect(config.extraResources).toEqual([{ from: 'build/helper', to: 'helper' }]);
    // The fuse stays off: helper mode is a flag of the app, not ELECTRON_RUN_AS_NODE.
    expect(config.electronFuses).toMatchObject({ runAsNode: false });
  });

  it('installed as a link in ~/.local/bin, runs the app binary in helper mode with stdin passed through', async () => {
    const { launcher, record } = await packagedLayout('regvault');
    const home = await tempDir();
    const context = { home, env: { PATH: '/usr/bin' }, platform: 'linux' as const, source: { launcher } };
    const installed = await installHelper(context, installTarget(context));
    expect(installed).toMatchObject({ ok: true, value: { installed: true, onPath: false } });
    const target = join(home, '.local', 'bin', 'docker-credential-regvault');
    expect(await run(target, ['get'], 'ghcr.io\n')).toBe('served\n');
    expect(await readFile(record, 'utf8')).toBe('--docker-credential-helper get ghcr.io\n');
  });

  it('finds the macOS binary in Contents/MacOS', async () => {
    const { launcher, record } = await packagedLayout('MacOS/Regvault');
    const link = join(await tempDir(), 'docker-credential-regvault');
    await symlink(launcher, link);
    // The layout helper puts resources next to MacOS as Contents/Resources would be.
    expect(await run(link, ['list'], 'unused')).toBe('served\n');
    expect(await readFile(record, 'utf8')).toBe('--docker-credential-helper list unused');
  });

  it('never replaces a docker-credential-regvault that is not Regvault’s', async () => {
    const { launcher } = await packagedLayout('regvault');
    const home = await tempDir();
    const context = { home, env: {}, platform: 'linux' as const, source: { launcher } };
    await mkdir(join(home, '.local', 'bin'), { recursive: true });
    await writeFile(installTarget(context), '#!/bin/sh\necho someone else\n');
    expect(await installHelper(context, installTarget(context))).toMatchObject({
      ok: false,
      error: { code: 'target-taken' },
    });
    expect(await installHelper(context, '/somewhere/else')).toMatchObject({
      ok: false,
      error: { code: 'target-changed' },
    });
  });
});
