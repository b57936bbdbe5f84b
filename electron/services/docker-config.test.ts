import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyDockerConfig,
  DOCKER_HUB_KEY,
  importDockerConfig,
  planDockerConfig,
  readDockerConfig,
  WRITTEN_RECORD_NAME,
} from './docker-config';
import { basicAuth, ghcr, optionsOf, richConfig, unwrap, writeCredentials } from './fixtures/docker-config-cases';
import {
  makeDockerTestEnv,
  removeDockerTestEnvs,
  readConfigObject,
  writeConfigObject,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

describe('readDockerConfig', () => {
  it('reads a missing file as an empty config', async () => {
    const testEnv = await makeDockerTestEnv();
    const view = unwrap(await readDockerConfig(optionsOf(testEnv)));
    expect(view).toMatchObject({ path: testEnv.configPath, exists: false, entries: [], credHelpers: {}, raw: {} });
  });

  it('lists entries under canonical keys with their store and username', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: {
        'https://ghcr.io': { auth: basicAuth('octocat', 'a:b') },
        'docker.io': {},
        'http://registry.local:5000/v2/': { auth: basicAuth('me', 'x') },
      },
      credHelpers: { [DOCKER_HUB_KEY]: 'testhelper' },
    });
    const view = unwrap(await readDockerConfig(optionsOf(testEnv)));
    expect(view.entries).toEqual([
      { registry: 'ghcr.io', key: 'https://ghcr.io', username: 'octocat', store: { kind: 'file' } },
      { registry: DOCKER_HUB_KEY, key: 'docker.io', store: { kind: 'helper', helper: 'testhelper' } },
      {
        registry: 'registry.local:5000',
        key: 'http://registry.local:5000/v2/',
        username: 'me',
        store: { kind: 'file' },
      },
    ]);
  });
});

describe('writing keeps what is not ours', () => {
  it('keeps every other top-level key, in order, and every foreign auths entry', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, richConfig);
    const { plan } = await writeCredentials(testEnv, [ghcr]);
    expect(plan.added.map((item) => item.registry)).toEqual(['ghcr.io']);
    const after = await readConfigObject(testEnv);
    const expected = {
      ...richConfig,
      auths: { ...richConfig.auths, 'ghcr.io': { auth: basicAuth('octocat', 'ghp_token') } },
    };
    expect(after).toEqual(expected);
    expect(Object.keys(after)).toEqual(Object.keys(richConfig));
    expect(await readFile(testEnv.configPath, 'utf8')).toBe(JSON.stringify(expected, null, '\t'));
  });

  it('never removes an entry Regvault did not write, and says so', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, richConfig);
    const plan = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), remove: ['quay.io'] }));
    expect(plan.removed).toEqual([]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual(['not-written-by-regvault']);
    expect(plan.warnings[0]?.message).toContain('docker logout quay.io');
  });

  it('removes what it wrote, keeps its record beside config.json and nothing of it inside', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, richConfig);
    await writeCredentials(testEnv, [ghcr]);
    const record = JSON.parse(await readFile(join(testEnv.configDir, WRITTEN_RECORD_NAME), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(record.entries)).toEqual(['ghcr.io']);
    expect(JSON.stringify(record)).not.toContain('ghp_token');
    const { plan, report } = await writeCredentials(testEnv, [], ['https://ghcr.io/']);
    expect(plan.removed).toEqual([{ registry: 'ghcr.io', store: { kind: 'file' } }]);
    expect(report.removed).toEqual(plan.removed);
    expect(await readConfigObject(testEnv)).toEqual(richConfig);
    expect(await readFile(testEnv.configPath, 'utf8')).not.toMatch(/regvault/i);
  });

  it('removes nothing when its record of what it wrote is unreadable', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeCredentials(testEnv, [ghcr]);
    await writeFile(join(testEnv.configDir, WRITTEN_RECORD_NAME), '{"version": 1, "entries": ');
    const plan = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), remove: ['ghcr.io'] }));
    expect(plan.removed).toEqual([]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual([
      'written-record-unreadable',
      'not-written-by-regvault',
    ]);
  });

  it('leaves an entry that someone logged into again since Regvault wrote it', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeCredentials(testEnv, [ghcr]);
    await writeConfigObject(testEnv, { auths: { 'ghcr.io': { auth: basicAuth('someone-else', 'theirs') } } });
    const plan = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), remove: ['ghcr.io'] }));
    expect(plan.removed).toEqual([]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual(['changed-since-written']);
  });
});

describe('credentials in the file store', () => {
  it('writes base64(username:secret) and reads passwords containing ":" back whole', async () => {
    const testEnv = await makeDockerTestEnv();
    const tricky = {
      registry: 'registry.example.com:5000',
      username: 'ci',
      secret: 'pa:ss:wo:rd',
      email: 'ci@example.com',
    };
    await writeCredentials(testEnv, [tricky]);
    const after = await readConfigObject(testEnv);
    expect(after).toEqual({
      auths: { 'registry.example.com:5000': { auth: basicAuth('ci', 'pa:ss:wo:rd'), email: 'ci@example.com' } },
    });
    expect(unwrap(await importDockerConfig(optionsOf(testEnv)))).toEqual([tricky]);
  });

  it('refuses usernames with ":" and addresses that are not registries, before touching anything', async () => {
    const testEnv = await makeDockerTestEnv();
    for (const bad of [
      { registry: 'ghcr.io', username: 'a:b', secret: 's' },
      { registry: 'https://user@ghcr.io', username: 'a', secret: 's' },
      { registry: 'not a host', username: 'a', secret: 's' },
      { registry: 'ghcr.io', username: '', secret: 's' },
    ]) {
      const plan = await planDockerConfig([bad], optionsOf(testEnv));
      expect(plan).toMatchObject({ ok: false, error: { code: 'invalid-entry' } });
    }
    const twice = await planDockerConfig([ghcr, { ...ghcr, registry: 'https://GHCR.io:443' }], optionsOf(testEnv));
    expect(twice).toMatchObject({ ok: false, error: { code: 'invalid-entry' } });
    await expect(stat(testEnv.configDir)).rejects.toThrow();
  });

  it('matches Docker Hub aliases and legacy keys to the canonical key', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: {
        'index.docker.io': { auth: basicAuth('hubuser', 'hubtoken') },
        'https://ghcr.io': { auth: basicAuth('octocat', 'ghp_token') },
        'http://host.local:5000': { auth: basicAuth('me', 'old') },
      },
    });
    const hub = { registry: 'docker.io', username: 'hubuser', secret: 'hubtoken' };
    const plan = unwrap(
      await planDockerConfig(
        [hub, ghcr, { registry: 'host.local:5000', username: 'me', secret: 'new' }],
        optionsOf(testEnv),
      ),
    );
    // Docker looks Docker Hub up only under its exact key, so a legacy alias does not count as written.
    expect(plan.changed.map((item) => item.registry)).toEqual([DOCKER_HUB_KEY, 'host.local:5000']);
    expect(plan.unchanged.map((item) => item.registry)).toEqual(['ghcr.io']);
    unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    const auths = (await readConfigObject(testEnv))['auths'] as Record<string, unknown>;
    expect(auths[DOCKER_HUB_KEY]).toEqual({ auth: basicAuth('hubuser', 'hubtoken') });
    expect(auths['host.local:5000']).toEqual({ auth: basicAuth('me', 'new') });
    expect(auths['index.docker.io']).toEqual({ auth: basicAuth('hubuser', 'hubtoken') });
  });
});

describe('where config.json is', () => {
  it('follows DOCKER_CONFIG and leaves ~/.docker alone', async () => {
    const testEnv = await makeDockerTestEnv();
    const elsewhere = join(testEnv.root, 'custom-docker');
    const options = { env: { ...testEnv.env, DOCKER_CONFIG: elsewhere }, home: testEnv.home };
    const plan = unwrap(await planDockerConfig([ghcr], options));
    expect(plan.path).toBe(join(elsewhere, 'config.json'));
    unwrap(await applyDockerConfig(plan, options));
    expect(JSON.parse(await readFile(join(elsewhere, 'config.json'), 'utf8'))).toHaveProperty(['auths', 'ghcr.io']);
    await expect(stat(testEnv.configDir)).rejects.toThrow();
  });

  it('uses ~/.docker without DOCKER_CONFIG, creating it 0700 with a 0600 file', async () => {
    const testEnv = await makeDockerTestEnv();
    const { report } = await writeCredentials(testEnv, [ghcr]);
    expect(report.path).toBe(testEnv.configPath);
    expect(report.backupPath).toBeUndefined();
    expect((await stat(testEnv.configDir)).mode & 0o777).toBe(0o700);
    expect((await stat(testEnv.configPath)).mode & 0o777).toBe(0o600);
  });
});
