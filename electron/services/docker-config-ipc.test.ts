import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatch } from '../ipc/dispatch';
import { createHandlers } from '../ipc/handlers';
import type { ServiceContext } from './context';
import { createDockerConfigIpc } from './docker-config-ipc';
import { basicAuth } from './fixtures/docker-config-cases';
import { memoryClipboard } from './fixtures/memory-clipboard';
import {
  makeDockerTestEnv,
  readConfigObject,
  readHelperStore,
  removeDockerTestEnvs,
  writeConfigObject,
  type DockerTestEnv,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

const origin = 'app://regvault';
const trusted = { url: `${origin}/index.html`, isMainFrame: true };
const ghcr = { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_SECRET:with-colon' };
const quay = { registry: 'https://quay.io', username: 'org+robot', secret: 'QUAY-SECRET' };

function contextOf(testEnv: DockerTestEnv): ServiceContext {
  const { clipboard } = memoryClipboard();
  return { appName: 'Regvault', appVersion: '0', home: testEnv.home, env: testEnv.env, platform: 'linux', clipboard };
}

async function dispatcher(testEnv: DockerTestEnv) {
  const dispatch = createDispatch(createHandlers(contextOf(testEnv)), origin);
  return async (channel: string, input?: unknown) => {
    const result = await dispatch(channel, input, trusted);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value as Record<string, unknown>;
  };
}

describe('docker:* channels through the real dispatcher', () => {
  it('plans, applies by id, and never sends a secret or the raw file back', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: { 'foreign.example': { auth: basicAuth('someone', 'FOREIGN-SECRET') } },
      proxies: { default: {} },
    });
    const call = await dispatcher(testEnv);
    const plan = await call('docker:plan', { entries: [ghcr, quay], remove: [] });
    expect(plan).toMatchObject({ path: testEnv.configPath, changed: [], unchanged: [], removed: [] });
    expect(plan['added']).toEqual([
      { registry: 'ghcr.io', username: 'octocat', store: { kind: 'file' } },
      { registry: 'quay.io', username: 'org+robot', store: { kind: 'file' } },
    ]);
    expect(Object.keys(plan).sort()).toEqual([
      'added',
      'changed',
      'path',
      'planId',
      'removed',
      'unchanged',
      'warnings',
    ]);
    const report = await call('docker:apply', { planId: plan['planId'] });
    expect(report['backupPath']).toMatch(/config\.json\.regvault-backup-/);
    const read = await call('docker:read');
    for (const answer of [plan, report, read]) {
      const text = JSON.stringify(answer);
      for (const secret of ['SECRET', basicAuth('octocat', ghcr.secret), 'proxies']) expect(text).not.toContain(secret);
    }
    expect(read['entries']).toEqual([
      {
        registry: 'foreign.example',
        key: 'foreign.example',
        username: 'someone',
        store: { kind: 'file' },
        writtenByRegvault: false,
      },
      { registry: 'ghcr.io', key: 'ghcr.io', username: 'octocat', store: { kind: 'file' }, writtenByRegvault: true },
      { registry: 'quay.io', key: 'quay.io', username: 'org+robot', store: { kind: 'file' }, writtenByRegvault: true },
    ]);
    const auths = (await readConfigObject(testEnv))['auths'] as Record<string, unknown>;
    expect(auths['ghcr.io']).toEqual({ auth: basicAuth('octocat', ghcr.secret) });
  });

  it('applies a plan once only, and refuses an unknown id with what to do', async () => {
    const testEnv = await makeDockerTestEnv();
    const dispatch = createDispatch(createHandlers(contextOf(testEnv)), origin);
    const plan = await dispatch('docker:plan', { entries: [ghcr], remove: [] }, trusted);
    if (!plan.ok) throw new Error(plan.error.message);
    const { planId } = plan.value as { planId: string };
    expect((await dispatch('docker:apply', { planId }, trusted)).ok).toBe(true);
    expect(await dispatch('docker:apply', { planId }, trusted)).toEqual({
      ok: false,
      error: {
        code: 'plan-expired',
        message:
          'This review is no longer valid (it expired or was already applied). Click "Review changes" again, check the plan, then apply it.',
      },
    });
    expect(await dispatch('docker:apply', { planId: 'guessed' }, trusted)).toMatchObject({
      ok: false,
      error: { code: 'plan-expired' },
    });
  });

  it('refuses malformed requests before touching anything', async () => {
    const testEnv = await makeDockerTestEnv();
    const dispatch = createDispatch(createHandlers(contextOf(testEnv)), origin);
    for (const [channel, input] of [
      ['docker:plan', { entries: [ghcr] }],
      ['docker:plan', { entries: [{ ...ghcr, extra: 1 }], remove: [] }],
      ['docker:apply', {}],
      ['docker:kube-secret', { entries: [], name: 'pull' }],
      ['docker:read', { path: '/etc/passwd' }],
    ] as const) {
      expect(await dispatch(channel, input, trusted)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    await expect(stat(testEnv.configDir)).rejects.toThrow();
  });

  it('reports a malformed config.json on read, plan and import, leaving its bytes alone', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {});
    await writeFile(testEnv.configPath, '{"auths": {');
    const dispatch = createDispatch(createHandlers(contextOf(testEnv)), origin);
    for (const [channel, input] of [
      ['docker:read', undefined],
      ['docker:plan', { entries: [ghcr], remove: [] }],
      ['docker:import', undefined],
    ] as const) {
      const result = await dispatch(channel, input, trusted);
      expect(result).toMatchObject({ ok: false, error: { code: 'config-malformed' } });
      if (!result.ok) expect(result.error.message).toContain('fix or move the file');
    }
    expect(await readFile(testEnv.configPath, 'utf8')).toBe('{"auths": {');
  });

  it('routes through credsStore and reports the helper as the store', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credsStore: 'testhelper' });
    const call = await dispatcher(testEnv);
    const plan = await call('docker:plan', { entries: [ghcr], remove: [] });
    expect(plan['added']).toEqual([
      { registry: 'ghcr.io', username: 'octocat', store: { kind: 'helper', helper: 'testhelper' } },
    ]);
    await call('docker:apply', { planId: plan['planId'] });
    expect(await readHelperStore(testEnv)).toEqual({ 'ghcr.io': { Username: 'octocat', Secret: ghcr.secret } });
    const read = await call('docker:read');
    expect(read).toMatchObject({ credsStore: 'testhelper' });
    expect(read['entries']).toEqual([
      { registry: 'ghcr.io', key: 'ghcr.io', store: { kind: 'helper', helper: 'testhelper' }, writtenByRegvault: true },
    ]);
  });

  it('imports logins with their secrets and exports a pull secret that decodes back', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: {
        'ghcr.io': { auth: basicAuth('octocat', ghcr.secret) },
        'https://index.docker.io/v1/': { identitytoken: 'desktop-token' },
      },
    });
    const call = await dispatcher(testEnv);
    const imported = await call('docker:import');
    expect(imported['path']).toBe(testEnv.configPath);
    expect(imported['entries']).toEqual([{ registry: 'ghcr.io', username: 'octocat', secret: ghcr.secret }]);
    expect(imported['skipped']).toEqual([
      expect.objectContaining({
        registry: 'https://index.docker.io/v1/',
        reason: expect.stringContaining('identity token'),
      }),
    ]);
    const { yaml } = (await call('docker:kube-secret', { entries: [ghcr], name: 'pull', namespace: 'ci' })) as {
      yaml: string;
    };
    expect(yaml).toContain('namespace: ci');
    const data = /\.dockerconfigjson: (\S+)/.exec(yaml)?.[1] ?? '';
    expect(JSON.parse(Buffer.from(data, 'base64').toString('utf8'))).toEqual({
      auths: { 'ghcr.io': { username: 'octocat', password: ghcr.secret, auth: basicAuth('octocat', ghcr.secret) } },
    });
  });
});

describe('the plan cache', () => {
  it('refuses a plan past its lifetime and writes nothing', async () => {
    const testEnv = await makeDockerTestEnv();
    let now = 1_000;
    const ipc = createDockerConfigIpc(contextOf(testEnv), { now: () => now, ttlMs: 60_000 });
    const plan = await ipc.plan({ entries: [ghcr], remove: [] });
    if (!plan.ok) throw new Error(plan.error.message);
    now += 60_000;
    expect(await ipc.apply({ planId: plan.value.planId })).toMatchObject({
      ok: false,
      error: { code: 'plan-expired' },
    });
    await expect(stat(testEnv.configPath)).rejects.toThrow();
  });

  it('keeps a bounded number of plans, dropping the oldest', async () => {
    const testEnv = await makeDockerTestEnv();
    const ipc = createDockerConfigIpc(contextOf(testEnv), { maxPlans: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const plan = await ipc.plan({ entries: [ghcr], remove: [] });
      if (plan.ok) ids.push(plan.value.planId);
    }
    expect(new Set(ids).size).toBe(5);
    expect(ipc.cachedPlans()).toBe(3);
    expect(await ipc.apply({ planId: ids[0] ?? '' })).toMatchObject({ ok: false, error: { code: 'plan-expired' } });
    expect((await ipc.apply({ planId: ids[4] ?? '' })).ok).toBe(true);
  });

  it('refuses a plan once another program changed the file, saying to review again', async () => {
    const testEnv = await makeDockerTestEnv();
    const ipc = createDockerConfigIpc(contextOf(testEnv));
    const plan = await ipc.plan({ entries: [ghcr], remove: [] });
    if (!plan.ok) throw new Error(plan.error.message);
    await writeConfigObject(testEnv, { auths: { 'other.example': { auth: basicAuth('a', 'b') } } });
    const before = await readFile(testEnv.configPath, 'utf8');
    const applied = await ipc.apply({ planId: plan.value.planId });
    expect(applied).toMatchObject({ ok: false, error: { code: 'config-changed' } });
    if (!applied.ok) expect(applied.error.message).toContain('Review the new plan');
    expect(await readFile(testEnv.configPath, 'utf8')).toBe(before);
  });
});

describe('docker:compare', () => {
  const digestOf = (digestKey: Buffer, secret: string) =>
    createHmac('sha256', digestKey).update(secret, 'utf8').digest('base64');

  it('answers from digests, and the contract refuses a request that carries a secret', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { auths: { 'ghcr.io': { auth: basicAuth(ghcr.username, ghcr.secret) } } });
    const call = await dispatcher(testEnv);
    const digestKey = randomBytes(32);
    const entry = { id: 'e1', registry: 'ghcr.io', username: ghcr.username, digest: digestOf(digestKey, ghcr.secret) };
    const request = { key: digestKey.toString('base64'), refresh: false, entries: [entry] };
    expect(await call('docker:compare', request)).toEqual({ entries: [{ id: 'e1', state: 'same' }] });
    await expect(call('docker:compare', { ...request, entries: [{ ...entry, secret: ghcr.secret }] })).rejects.toThrow(
      /bad-request.*Unrecognized key: "secret"/,
    );
  });

  it('never evicts the plan under review, however often the badges are compared', async () => {
    const testEnv = await makeDockerTestEnv();
    const ipc = createDockerConfigIpc(contextOf(testEnv), { maxPlans: 3 });
    const reviewed = await ipc.plan({ entries: [ghcr], remove: [] });
    if (!reviewed.ok) throw new Error(reviewed.error.message);
    const digestKey = randomBytes(32);
    const { secret, ...login } = ghcr;
    const entries = [{ id: 'e1', ...login, digest: digestOf(digestKey, secret) }];
    for (let i = 0; i < 20; i += 1) {
      const compared = await ipc.compare({ key: digestKey.toString('base64'), refresh: i % 2 === 0, entries });
      expect(compared.ok).toBe(true);
    }
    expect(ipc.cachedPlans()).toBe(1);
    expect((await ipc.apply({ planId: reviewed.value.planId })).ok).toBe(true);
  });
});
