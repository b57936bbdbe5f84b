import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyDockerConfig,
  importDockerConfig,
  listBackups,
  planDockerConfig,
  readDockerConfig,
} from './docker-config';
import { basicAuth, ghcr, optionsOf, richConfig, unwrap, writeCredentials } from './fixtures/docker-config-cases';
import {
  makeDockerTestEnv,
  removeDockerTestEnvs,
  readConfigObject,
  writeConfigObject,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

describe('a malformed config.json is never overwritten', () => {
  const cases: Record<string, string> = {
    'invalid JSON': '{"auths": {"ghcr.io": {"auth": "abc"}},,}',
    'an array': '[1, 2]',
    'auths that is not an object': '{"auths": "ghcr.io"}',
    'an auths entry that is not an object': '{"auths": {"ghcr.io": 42}}',
    'credHelpers with a non-string helper': '{"credHelpers": {"gcr.io": 7}}',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`refuses ${name}, naming the file and leaving it byte-for-byte`, async () => {
      const testEnv = await makeDockerTestEnv();
      await mkdir(testEnv.configDir, { recursive: true });
      await writeFile(testEnv.configPath, text);
      const before = await stat(testEnv.configPath);
      for (const result of [
        await readDockerConfig(optionsOf(testEnv)),
        await planDockerConfig([ghcr], optionsOf(testEnv)),
        await importDockerConfig(optionsOf(testEnv)),
      ]) {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('config-malformed');
          expect(result.error.message).toContain(testEnv.configPath);
          expect(result.error.message).toMatch(/fix or move the file/);
        }
      }
      expect(await readFile(testEnv.configPath, 'utf8')).toBe(text);
      expect((await stat(testEnv.configPath)).mtimeMs).toBe(before.mtimeMs);
      expect(await readdir(testEnv.configDir)).toEqual(['config.json']);
    });
  }

  it('names line and column of a JSON error and quotes none of the file (it holds base64 secrets)', async () => {
    const testEnv = await makeDockerTestEnv();
    await mkdir(testEnv.configDir, { recursive: true });
    const auth = Buffer.from('octocat:ghp_S3cretToken').toString('base64');
    await writeFile(testEnv.configPath, `{\n\t"auths": {\n\t\t"ghcr.io": {"auth": "${auth}" "x": 1}\n\t}\n}\n`);
    const result = await readDockerConfig(optionsOf(testEnv));
    expect(result).toMatchObject({ ok: false, error: { code: 'config-malformed' } });
    if (!result.ok) {
      expect(result.error.message).toMatch(/is not valid JSON \(line 3, column \d+\)/);
      for (const piece of [auth, auth.slice(0, 8), auth.slice(-8), '"x"'])
        expect(result.error.message).not.toContain(piece);
    }
  });

  it('refuses to apply a plan once the file has become malformed', async () => {
    const testEnv = await makeDockerTestEnv();
    const plan = unwrap(await planDockerConfig([ghcr], optionsOf(testEnv)));
    await mkdir(testEnv.configDir, { recursive: true });
    await writeFile(testEnv.configPath, 'not json');
    expect(await applyDockerConfig(plan, optionsOf(testEnv))).toMatchObject({
      ok: false,
      error: { code: 'config-malformed' },
    });
    expect(await readFile(testEnv.configPath, 'utf8')).toBe('not json');
  });

  it('refuses a plan made against an older version of the file', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { auths: {} });
    const plan = unwrap(await planDockerConfig([ghcr], optionsOf(testEnv)));
    await writeConfigObject(testEnv, { auths: { 'quay.io': {} } });
    expect(await applyDockerConfig(plan, optionsOf(testEnv))).toMatchObject({
      ok: false,
      error: { code: 'config-changed' },
    });
    expect(await readConfigObject(testEnv)).toEqual({ auths: { 'quay.io': {} } });
  });
});

describe('how the file is replaced', () => {
  it('writes through a symlinked config.json and keeps the link', async () => {
    const testEnv = await makeDockerTestEnv();
    const dotfiles = join(testEnv.root, 'dotfiles');
    await mkdir(dotfiles);
    await writeFile(join(dotfiles, 'docker.json'), JSON.stringify(richConfig, null, '\t'));
    await mkdir(testEnv.configDir, { recursive: true });
    await symlink('../../dotfiles/docker.json', testEnv.configPath);
    await writeCredentials(testEnv, [ghcr]);
    expect((await lstat(testEnv.configPath)).isSymbolicLink()).toBe(true);
    const target = JSON.parse(await readFile(join(dotfiles, 'docker.json'), 'utf8')) as Record<string, unknown>;
    expect(target).toHaveProperty(['auths', 'ghcr.io', 'auth'], basicAuth('octocat', 'ghp_token'));
    expect(await readdir(dotfiles)).toEqual(['docker.json']);
  });

  it('keeps the mode of an existing file', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, richConfig);
    await chmod(testEnv.configPath, 0o640);
    await writeCredentials(testEnv, [ghcr]);
    expect((await stat(testEnv.configPath)).mode & 0o777).toBe(0o640);
  });

  it('backs up the previous content, 0600, and keeps a bounded number of backups', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, richConfig);
    const original = await readFile(testEnv.configPath, 'utf8');
    const { report } = await writeCredentials(testEnv, [ghcr]);
    expect(report.backupPath).toBeDefined();
    expect(await readFile(report.backupPath ?? '', 'utf8')).toBe(original);
    expect((await stat(report.backupPath ?? '')).mode & 0o777).toBe(0o600);
    for (let round = 0; round < 4; round += 1) {
      const plan = unwrap(await planDockerConfig([{ ...ghcr, secret: `token-${round}` }], optionsOf(testEnv)));
      unwrap(await applyDockerConfig(plan, { ...optionsOf(testEnv), keepBackups: 3 }));
    }
    const backups = await listBackups(testEnv.configDir, 'config.json');
    expect(backups).toHaveLength(3);
    expect(await readFile(backups[2] ?? '', 'utf8')).toContain(basicAuth('octocat', 'token-2'));
  });

  it('writes nothing at all — no file, no backup, no record — when nothing changes', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      ...richConfig,
      auths: { ...richConfig.auths, 'ghcr.io': { auth: basicAuth('octocat', 'ghp_token') } },
    });
    const before = await stat(testEnv.configPath);
    const plan = unwrap(await planDockerConfig([ghcr], optionsOf(testEnv)));
    expect(plan).toMatchObject({ added: [], changed: [], removed: [], writes: [] });
    expect(plan.unchanged).toEqual([{ registry: 'ghcr.io', username: 'octocat', store: { kind: 'file' } }]);
    const report = unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(report).toEqual({ path: testEnv.configPath, written: [], removed: [] });
    expect((await stat(testEnv.configPath)).mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(testEnv.configDir)).toEqual(['config.json']);
  });

  it('treats an empty file as an empty config, as Docker does', async () => {
    const testEnv = await makeDockerTestEnv();
    await mkdir(testEnv.configDir, { recursive: true });
    await writeFile(testEnv.configPath, '');
    await writeCredentials(testEnv, [ghcr]);
    expect(await readConfigObject(testEnv)).toEqual({
      auths: { 'ghcr.io': { auth: basicAuth('octocat', 'ghp_token') } },
    });
  });
});
