import { copyFile, readFile, stat } from 'node:fs/promises';
import { delimiter, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyDockerConfig,
  DOCKER_HUB_KEY,
  importDockerConfigDetailed,
  planDockerConfig,
  readDockerConfig,
  WINCRED_MAX_SECRET_BYTES,
} from './docker-config';
import type { DockerCredential } from './docker-config';
import { optionsOf, unwrap } from './fixtures/docker-config-cases';
import { eraseHelperCredential, getHelperCredential, storeHelperCredential } from './docker-config/credential-helper';
import {
  makeDockerTestEnv,
  removeDockerTestEnvs,
  readConfigObject,
  readHelperStore,
  seedHelperStore,
  writeConfigObject,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

const ghcr: DockerCredential = { registry: 'ghcr.io', username: 'octocat', secret: 'ghp:token' };
const quay: DockerCredential = { registry: 'quay.io', username: 'org+robot', secret: 'quay-secret' };

describe('the credential helper protocol, against a real helper executable', () => {
  it('stores, gets, lists and erases; a missing credential is null, not an error', async () => {
    const testEnv = await makeDockerTestEnv();
    const options = optionsOf(testEnv);
    unwrap(await storeHelperCredential('testhelper', 'ghcr.io', { username: 'octocat', secret: 'a:b' }, options));
    expect(unwrap(await getHelperCredential('testhelper', 'ghcr.io', options))).toEqual({
      username: 'octocat',
      secret: 'a:b',
    });
    expect(Object.keys(await readHelperStore(testEnv))).toEqual(['ghcr.io']);
    expect(unwrap(await getHelperCredential('testhelper', 'unknown.example', options))).toBeNull();
    unwrap(await eraseHelperCredential('testhelper', 'ghcr.io', options));
    unwrap(await eraseHelperCredential('testhelper', 'ghcr.io', options)); // already gone is fine
    expect(await readHelperStore(testEnv)).toEqual({});
  });

  it('reports a helper that is not on PATH, and one that fails, with what to do', async () => {
    const testEnv = await makeDockerTestEnv();
    const missing = await getHelperCredential('nosuchhelper', 'ghcr.io', optionsOf(testEnv));
    expect(missing).toMatchObject({ ok: false, error: { code: 'helper-not-found' } });
    if (!missing.ok) expect(missing.error.message).toContain('docker-credential-nosuchhelper was not found on PATH');
    const locked = await getHelperCredential('testhelper', 'ghcr.io', optionsOf(testEnv, { TESTHELPER_FAIL: 'get' }));
    expect(locked).toMatchObject({ ok: false, error: { code: 'helper-failed' } });
    if (!locked.ok) {
      expect(locked.error.message).toMatch(/exited with code 1\. Unlock your keychain/);
      expect(locked.error.message).not.toContain('keychain is locked'); // the helper's own output is never quoted
    }
    const sneaky = await getHelperCredential('../evil', 'ghcr.io', optionsOf(testEnv));
    expect(sneaky).toMatchObject({ ok: false, error: { code: 'helper-not-found' } });
  });

  it('never copies what a failing helper printed (it may echo the secret) into the message', async () => {
    const testEnv = await makeDockerTestEnv();
    const secret = 'ghp_Leak3dS3cretValue';
    const stored = await storeHelperCredential(
      'testhelper',
      'ghcr.io',
      { username: 'octocat', secret },
      optionsOf(testEnv, { TESTHELPER_LEAK: 'store' }),
    );
    expect(stored).toMatchObject({ ok: false, error: { code: 'helper-failed' } });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain('octocat');
  });

  it('skips relative PATH entries, as Docker does: a helper in the current folder is never run', async () => {
    const testEnv = await makeDockerTestEnv();
    const bin = testEnv.env['PATH']?.split(delimiter)[0] ?? '';
    await seedHelperStore(testEnv, { 'ghcr.io': { Username: 'octocat', Secret: 's' } });
    const absolute = await getHelperCredential('testhelper', 'ghcr.io', optionsOf(testEnv));
    expect(absolute.ok).toBe(true);
    // The same folder, named relative to the current one (`bin`, `../x/bin`, `.` from inside it).
    for (const entry of [relative(process.cwd(), bin), './' + relative(process.cwd(), bin)]) {
      const viaRelative = await getHelperCredential('testhelper', 'ghcr.io', {
        ...optionsOf(testEnv),
        env: { ...testEnv.env, PATH: entry },
      });
      expect(viaRelative).toMatchObject({ ok: false, error: { code: 'helper-not-found' } });
    }
  });
});

describe('routing like Docker: credHelpers[host], then credsStore, then the file', () => {
  it('sends credsStore secrets through the helper and leaves only {} in the file', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credsStore: 'testhelper', currentContext: 'default' });
    const options = optionsOf(testEnv);
    const plan = unwrap(await planDockerConfig([ghcr], options));
    expect(plan.added).toEqual([
      { registry: 'ghcr.io', username: 'octocat', store: { kind: 'helper', helper: 'testhelper' } },
    ]);
    expect(plan.warnings).toEqual([]);
    const report = unwrap(await applyDockerConfig(plan, options));
    expect(report.written).toEqual([{ registry: 'ghcr.io', store: { kind: 'helper', helper: 'testhelper' } }]);
    expect(await readHelperStore(testEnv)).toEqual({ 'ghcr.io': { Username: 'octocat', Secret: 'ghp:token' } });
    expect(await readConfigObject(testEnv)).toEqual({
      auths: { 'ghcr.io': {} },
      credsStore: 'testhelper',
      currentContext: 'default',
    });
    expect(await readFile(testEnv.configPath, 'utf8')).not.toContain('ghp');

    const again = unwrap(await planDockerConfig([ghcr], options));
    expect(again.unchanged.map((item) => item.registry)).toEqual(['ghcr.io']);
    const rotated = unwrap(await planDockerConfig([{ ...ghcr, secret: 'new' }], options));
    expect(rotated.changed.map((item) => item.registry)).toEqual(['ghcr.io']);
    const mtime = (await stat(testEnv.configPath)).mtimeMs;
    unwrap(await applyDockerConfig(rotated, options));
    expect((await readHelperStore(testEnv))['ghcr.io']?.Secret).toBe('new');
    expect((await stat(testEnv.configPath)).mtimeMs).toBe(mtime); // placeholder already there: file untouched
  });

  it('prefers credHelpers for its host over credsStore, and the file when neither applies', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credHelpers: { 'ghcr.io': 'testhelper', [DOCKER_HUB_KEY]: 'testhelper' } });
    const hub = { registry: 'index.docker.io', username: 'hubuser', secret: 'dckr_pat' };
    const plan = unwrap(await planDockerConfig([ghcr, hub, quay], optionsOf(testEnv)));
    expect(plan.added.map((item) => [item.registry, item.store])).toEqual([
      ['ghcr.io', { kind: 'helper', helper: 'testhelper' }],
      [DOCKER_HUB_KEY, { kind: 'helper', helper: 'testhelper' }],
      ['quay.io', { kind: 'file' }],
    ]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual(['stored-unencrypted']);
    unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(Object.keys(await readHelperStore(testEnv))).toEqual(['ghcr.io', DOCKER_HUB_KEY]);
    const auths = (await readConfigObject(testEnv))['auths'];
    expect(auths).toEqual({
      'ghcr.io': {},
      [DOCKER_HUB_KEY]: {},
      'quay.io': { auth: Buffer.from('org+robot:quay-secret').toString('base64') },
    });

    await writeConfigObject(testEnv, { credsStore: 'nosuchhelper', credHelpers: { 'ghcr.io': 'testhelper' } });
    const view = unwrap(await readDockerConfig(optionsOf(testEnv)));
    expect(view.credsStore).toBe('nosuchhelper');
    expect(await planDockerConfig([ghcr], optionsOf(testEnv))).toMatchObject({ ok: true });
    expect(await planDockerConfig([quay], optionsOf(testEnv))).toMatchObject({
      ok: false,
      error: { code: 'helper-not-found' },
    });
  });

  it('leaves config.json untouched when the helper refuses to store', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credsStore: 'testhelper' });
    const before = await readFile(testEnv.configPath, 'utf8');
    const plan = unwrap(await planDockerConfig([ghcr], optionsOf(testEnv)));
    const result = await applyDockerConfig(plan, optionsOf(testEnv, { TESTHELPER_FAIL: 'store' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'helper-failed' } });
    if (!result.ok) expect(result.error.message).toContain('config.json was not changed');
    expect(await readFile(testEnv.configPath, 'utf8')).toBe(before);
  });

  it('erases what it stored through a helper and drops the placeholder', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credsStore: 'testhelper', auths: { 'other.io': {} } });
    await seedHelperStore(testEnv, { 'other.io': { Username: 'them', Secret: 'theirs' } });
    unwrap(await applyDockerConfig(unwrap(await planDockerConfig([ghcr], optionsOf(testEnv))), optionsOf(testEnv)));
    const plan = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), remove: ['ghcr.io', 'other.io'] }));
    expect(plan.removed).toEqual([{ registry: 'ghcr.io', store: { kind: 'helper', helper: 'testhelper' } }]);
    expect(plan.warnings.map((warning) => warning.code)).toEqual(['not-written-by-regvault']);
    unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(await readHelperStore(testEnv)).toEqual({ 'other.io': { Username: 'them', Secret: 'theirs' } });
    expect(await readConfigObject(testEnv)).toEqual({ credsStore: 'testhelper', auths: { 'other.io': {} } });
  });

  it('warns before a wincred secret over 2,560 bytes, not at the limit', async () => {
    const testEnv = await makeDockerTestEnv();
    const bin = testEnv.env['PATH']?.split(delimiter)[0] ?? '';
    await copyFile(join(bin, 'docker-credential-testhelper'), join(bin, 'docker-credential-wincred'));
    await writeConfigObject(testEnv, { credsStore: 'wincred' });
    const long = {
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      username: 'AWS',
      secret: 'x'.repeat(WINCRED_MAX_SECRET_BYTES + 1),
    };
    const atLimit = { ...quay, secret: 'y'.repeat(WINCRED_MAX_SECRET_BYTES) };
    const plan = unwrap(await planDockerConfig([long, atLimit], optionsOf(testEnv)));
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatchObject({ code: 'wincred-secret-too-long', registry: long.registry });
    expect(plan.warnings[0]?.message).toContain('2561 bytes');
  });
});

describe('importing what Docker holds', () => {
  it('reads file secrets and helper-held secrets, and says what it left out', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: {
        'registry.example.com:5000': { auth: Buffer.from('ci:pa:ss').toString('base64'), email: 'ci@example.com' },
        'ghcr.io': {},
        'stale.example.com': {},
        'oauth.example.com': { identitytoken: 'opaque' },
      },
      credHelpers: { 'ghcr.io': 'testhelper', 'stale.example.com': 'testhelper', 'gcr.io': 'testhelper' },
    });
    await seedHelperStore(testEnv, {
      'ghcr.io': { Username: 'octocat', Secret: 'ghp:token' },
      'gcr.io': { Username: '_json_key', Secret: '{"type":"service_account"}' },
    });
    const outcome = unwrap(await importDockerConfigDetailed(optionsOf(testEnv)));
    expect(outcome.entries).toEqual([
      { registry: 'registry.example.com:5000', username: 'ci', secret: 'pa:ss', email: 'ci@example.com' },
      { registry: 'ghcr.io', username: 'octocat', secret: 'ghp:token' },
      { registry: 'gcr.io', username: '_json_key', secret: '{"type":"service_account"}' },
    ]);
    expect(outcome.skipped.map((skip) => skip.registry)).toEqual(['stale.example.com', 'oauth.example.com']);
    expect(outcome.skipped[0]?.reason).toContain('holds no credential for it; log in again');
    expect(outcome.skipped[1]?.reason).toContain('identity token');
  });

  it('skips a helper that fails for one registry instead of failing the whole import', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: { 'quay.io': { auth: Buffer.from('org+robot:s').toString('base64') }, 'ghcr.io': {} },
      credHelpers: { 'ghcr.io': 'nosuchhelper' },
    });
    const outcome = unwrap(await importDockerConfigDetailed(optionsOf(testEnv)));
    expect(outcome.entries).toEqual([{ registry: 'quay.io', username: 'org+robot', secret: 's' }]);
    expect(outcome.skipped).toHaveLength(1);
    expect(outcome.skipped[0]?.reason).toContain('docker-credential-nosuchhelper was not found on PATH');
  });
});
