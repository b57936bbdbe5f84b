// The comparison behind the "In Docker config" badges, on real files in a temporary HOME and a real
// credential helper on PATH: it agrees with the plan, takes digests instead of secrets, and runs the
// helpers only when config.json changed or the user asked for a refresh.
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planDockerConfig, type DockerCredential } from './docker-config';
import { createDockerComparer, type CompareItem } from './docker-config/compare';
import { basicAuth, optionsOf, unwrap, writeCredentials } from './fixtures/docker-config-cases';
import {
  makeDockerTestEnv,
  removeDockerTestEnvs,
  seedHelperStore,
  writeConfigObject,
  type DockerTestEnv,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

const key = randomBytes(32);

function itemOf(id: string, credential: DockerCredential, digestKey = key): CompareItem {
  const { secret, ...login } = credential;
  return { id, ...login, digest: createHmac('sha256', digestKey).update(secret, 'utf8').digest() };
}

async function compare(testEnv: DockerTestEnv, credentials: Readonly<Record<string, DockerCredential>>) {
  const comparer = createDockerComparer(optionsOf(testEnv));
  const items = Object.entries(credentials).map(([id, credential]) => itemOf(id, credential));
  return Object.fromEntries(unwrap(await comparer.compare(items, key, false)).map(({ id, state }) => [id, state]));
}

async function helperRuns(log: string): Promise<number> {
  return (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line === 'get').length;
}

describe('docker config comparison', () => {
  it('tells same, another secret, another user, another email and absent apart in config.json', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: {
        'ghcr.io': { auth: basicAuth('octocat', 'ghp_same') },
        'quay.io': { auth: basicAuth('org+robot', 'old-token') },
        'registry.gitlab.com': { auth: basicAuth('someone-else', 'glpat') },
        'https://index.docker.io/v1/': { auth: basicAuth('acme', 'dckr_pat'), email: 'ops@acme.test' },
      },
    });
    expect(
      await compare(testEnv, {
        ghcr: { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_same' },
        quay: { registry: 'https://quay.io', username: 'org+robot', secret: 'new-token' },
        gitlab: { registry: 'registry.gitlab.com', username: 'me', secret: 'glpat' },
        hub: { registry: 'docker.io', username: 'acme', secret: 'dckr_pat' },
        harbor: { registry: 'harbor.example.com', username: 'robot$ci', secret: 'x' },
        broken: { registry: 'not a registry', username: 'u', secret: 's' },
      }),
    ).toEqual({
      ghcr: 'same',
      quay: 'differs',
      gitlab: 'differs',
      // Docker Hub's key is found under its alias; the email in the file is not the entry's.
      hub: 'differs',
      harbor: 'absent',
      broken: 'absent',
    });
  });

  it('needs the same key: a digest made under another key never matches', async () => {
    const testEnv = await makeDockerTestEnv();
    const ghcr = { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_same' };
    await writeCredentials(testEnv, [ghcr]);
    const comparer = createDockerComparer(optionsOf(testEnv));
    const answer = unwrap(await comparer.compare([itemOf('a', ghcr, randomBytes(32))], key, false));
    expect(answer).toEqual([{ id: 'a', state: 'differs' }]);
    expect(unwrap(await comparer.compare([itemOf('a', ghcr)], key, false))).toEqual([{ id: 'a', state: 'same' }]);
  });

  it('agrees with the plan on every case the plan sorts', async () => {
    const testEnv = await makeDockerTestEnv();
    const written = [
      { registry: 'ghcr.io', username: 'octocat', secret: 'a' },
      { registry: 'quay.io', username: 'org+robot', secret: 'b' },
      { registry: 'docker.io', username: 'acme', secret: 'c', email: 'ops@acme.test' },
    ];
    await writeCredentials(testEnv, written);
    const asked = [
      ...written,
      { registry: 'quay.io', username: 'org+robot', secret: 'rotated' },
      { registry: 'ghcr.io', username: 'other', secret: 'a' },
      { registry: 'docker.io', username: 'acme', secret: 'c' },
      { registry: 'registry.example.com:5000', username: 'u', secret: 'p' },
    ];
    for (const credential of asked) {
      const plan = unwrap(await planDockerConfig([credential], optionsOf(testEnv)));
      const planned = plan.unchanged.length ? 'same' : plan.changed.length ? 'differs' : 'absent';
      expect(await compare(testEnv, { x: credential }), JSON.stringify(credential)).toEqual({ x: planned });
    }
  });

  it('asks a credential helper once per file version, again after a change or a refresh', async () => {
    const testEnv = await makeDockerTestEnv();
    const log = join(testEnv.root, 'helper.log');
    const options = optionsOf(testEnv, { TESTHELPER_LOG: log });
    await seedHelperStore(testEnv, { 'ghcr.io': { Username: 'octocat', Secret: 'ghp_held' } });
    await writeConfigObject(testEnv, { auths: { 'ghcr.io': {} }, credsStore: 'testhelper' });
    const comparer = createDockerComparer(options);
    const items = [itemOf('g', { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_held' })];
    for (let i = 0; i < 5; i++)
      expect(unwrap(await comparer.compare(items, key, false))).toEqual([{ id: 'g', state: 'same' }]);
    expect(await helperRuns(log)).toBe(1);

    await seedHelperStore(testEnv, { 'ghcr.io': { Username: 'octocat', Secret: 'ghp_rotated' } });
    // The helper's store changed behind the file's back: only Reload (refresh) asks again.
    expect(unwrap(await comparer.compare(items, key, false))).toEqual([{ id: 'g', state: 'same' }]);
    expect(unwrap(await comparer.compare(items, key, true))).toEqual([{ id: 'g', state: 'differs' }]);
    expect(await helperRuns(log)).toBe(2);

    // docker login rewrites config.json (same text, new write time): the helper is asked again.
    await utimes(testEnv.configPath, new Date(), new Date(Date.now() + 5000));
    await comparer.compare(items, key, false);
    expect(await helperRuns(log)).toBe(3);
  });

  it('asks a credsStore only about the registries config.json lists', async () => {
    const testEnv = await makeDockerTestEnv();
    const log = join(testEnv.root, 'helper.log');
    await seedHelperStore(testEnv, {
      'ghcr.io': { Username: 'octocat', Secret: 'ghp_held' },
      'quay.io': { Username: 'robot', Secret: 'q' },
    });
    await writeConfigObject(testEnv, { auths: { 'ghcr.io': {} }, credsStore: 'testhelper' });
    const comparer = createDockerComparer(optionsOf(testEnv, { TESTHELPER_LOG: log }));
    const items = [
      itemOf('g', { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_held' }),
      itemOf('q', { registry: 'quay.io', username: 'robot', secret: 'q' }),
      ...Array.from({ length: 20 }, (_, i) =>
        itemOf(`r${i}`, { registry: `r${i}.example.com`, username: 'u', secret: 's' }),
      ),
    ];
    const answer = unwrap(await comparer.compare(items, key, false));
    expect(answer.slice(0, 3)).toEqual([
      { id: 'g', state: 'same' },
      { id: 'q', state: 'absent' },
      { id: 'r0', state: 'absent' },
    ]);
    expect(await helperRuns(log)).toBe(1);
  });

  it('reports a helper that fails as unreadable, and says nothing about entries it does not hold', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { auths: {}, credHelpers: { 'ghcr.io': 'testhelper' } });
    const failing = createDockerComparer(optionsOf(testEnv, { TESTHELPER_FAIL: 'get' }));
    const items = [itemOf('g', { registry: 'ghcr.io', username: 'octocat', secret: 's' })];
    expect(unwrap(await failing.compare(items, key, false))).toEqual([{ id: 'g', state: 'unreadable' }]);
    const working = createDockerComparer(optionsOf(testEnv));
    expect(unwrap(await working.compare(items, key, false))).toEqual([{ id: 'g', state: 'absent' }]);
  });

  it('refuses a config.json it cannot parse, with what to do', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { auths: [] });
    const comparer = createDockerComparer(optionsOf(testEnv));
    const result = await comparer.compare([], key, false);
    expect(result).toMatchObject({ ok: false, error: { code: 'config-malformed' } });
  });
});
