// "Use Regvault for these registries" and back, through the real plan and apply on files in a temporary
// HOME; and the comparison's two states for it: `regvault` (Docker asks Regvault) and `older` (Regvault
// wrote this login before the entry's secret changed).
import { createHmac, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDockerConfig, planDockerConfig } from './docker-config';
import { createDockerComparer } from './docker-config/compare';
import { basicAuth, optionsOf, unwrap } from './fixtures/docker-config-cases';
import {
  makeDockerTestEnv,
  readConfigObject,
  removeDockerTestEnvs,
  writeConfigObject,
} from './fixtures/docker-config-env';

afterAll(removeDockerTestEnvs);

const key = randomBytes(32);
const digest = (secret: string) => createHmac('sha256', key).update(secret, 'utf8').digest();

describe('routing registries to docker-credential-regvault', () => {
  it('maps the chosen registries to regvault and removes only their base64 auths, with a backup', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, {
      auths: { 'ghcr.io': { auth: basicAuth('octocat', 'ghp_x') }, 'quay.io': { auth: basicAuth('robot', 'q') } },
      credHelpers: { 'gcr.io': 'gcloud' },
      detachKeys: 'ctrl-e,e',
    });
    const plan = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), useHelper: ['ghcr.io'] }));
    expect(plan.routes).toEqual([{ registry: 'ghcr.io', helper: 'regvault' }]);
    expect(plan.removed).toEqual([{ registry: 'ghcr.io', store: { kind: 'file' } }]);
    expect(plan.writes).toEqual([]);
    const report = unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(report.backupPath).toBeDefined();
    expect(await readConfigObject(testEnv)).toEqual({
      auths: { 'quay.io': { auth: basicAuth('robot', 'q') } },
      credHelpers: { 'gcr.io': 'gcloud', 'ghcr.io': 'regvault' },
      detachKeys: 'ctrl-e,e',
    });
    // Routed already: planning again changes nothing.
    const again = unwrap(await planDockerConfig([], { ...optionsOf(testEnv), useHelper: ['ghcr.io'] }));
    expect([again.routes, again.removed]).toEqual([[], []]);
  });

  it('switching back removes the mapping and writes the credential where Docker keeps it, in one plan', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credHelpers: { 'ghcr.io': 'regvault' } });
    const credential = { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_new' };
    const plan = unwrap(await planDockerConfig([credential], { ...optionsOf(testEnv), stopHelper: ['ghcr.io'] }));
    expect(plan.routes).toEqual([{ registry: 'ghcr.io', helper: null }]);
    expect(plan.added).toEqual([{ registry: 'ghcr.io', username: 'octocat', store: { kind: 'file' } }]);
    unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(await readConfigObject(testEnv)).toEqual({
      auths: { 'ghcr.io': { auth: basicAuth('octocat', 'ghp_new') } },
      credHelpers: {},
    });
  });

  it('never writes a secret for a registry Docker already asks Regvault for', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credHelpers: { 'ghcr.io': 'regvault' } });
    const plan = unwrap(
      await planDockerConfig([{ registry: 'ghcr.io', username: 'octocat', secret: 's' }], optionsOf(testEnv)),
    );
    expect(plan.unchanged).toEqual([
      { registry: 'ghcr.io', username: 'octocat', store: { kind: 'helper', helper: 'regvault' } },
    ]);
    expect(plan.writes).toEqual([]);
    expect(plan.warnings.map((w) => w.code)).not.toContain('stored-unencrypted');
    const report = unwrap(await applyDockerConfig(plan, optionsOf(testEnv)));
    expect(report.written).toEqual([]);
    expect((await readdir(testEnv.configDir)).filter((f) => f.includes('backup'))).toEqual([]);
  });

  it('refuses to route a registry to Regvault and away in the same plan', async () => {
    const testEnv = await makeDockerTestEnv();
    const planned = await planDockerConfig([], {
      ...optionsOf(testEnv),
      useHelper: ['ghcr.io'],
      stopHelper: ['ghcr.io'],
    });
    expect(planned).toMatchObject({ ok: false, error: { code: 'invalid-entry' } });
  });
});

describe('comparison states for the helper', () => {
  it('says "regvault" for a registry routed to Regvault, without running any helper', async () => {
    const testEnv = await makeDockerTestEnv();
    await writeConfigObject(testEnv, { credHelpers: { 'ghcr.io': 'regvault' }, auths: { 'ghcr.io': {} } });
    const comparer = createDockerComparer(optionsOf(testEnv));
    const item = { id: 'a', registry: 'ghcr.io', username: 'octocat', digest: digest('s') };
    expect(unwrap(await comparer.compare([item], key, true))).toEqual([{ id: 'a', state: 'regvault' }]);
  });

  it('says "older" when Regvault wrote the login before the entry’s secret changed, "differs" otherwise', async () => {
    const testEnv = await makeDockerTestEnv();
    const credential = { registry: 'quay.io', username: 'robot', secret: 'old-secret' };
    const writtenAt = new Date('2026-01-01T00:00:00Z');
    const plan = unwrap(await planDockerConfig([credential], optionsOf(testEnv)));
    unwrap(await applyDockerConfig(plan, { ...optionsOf(testEnv), now: () => writtenAt }));
    const comparer = createDockerComparer(optionsOf(testEnv));
    const rotated = { id: 'r', registry: 'quay.io', username: 'robot', digest: digest('new-secret') };
    const later = writtenAt.getTime() + 60_000;
    const before = writtenAt.getTime() - 60_000;
    expect(unwrap(await comparer.compare([{ ...rotated, secretUpdatedAt: later }], key, true))).toEqual([
      { id: 'r', state: 'older' },
    ]);
    // The secret in the vault is older than what was written: someone else changed Docker's copy.
    expect(unwrap(await comparer.compare([{ ...rotated, secretUpdatedAt: before }], key, true))).toEqual([
      { id: 'r', state: 'differs' },
    ]);
    // Another username is another login, never "older".
    const other = { ...rotated, username: 'someone', secretUpdatedAt: later };
    expect(unwrap(await comparer.compare([other], key, true))).toEqual([{ id: 'r', state: 'differs' }]);
    // The same secret is the same, whatever the dates.
    const same = { ...rotated, digest: digest('old-secret'), secretUpdatedAt: later };
    expect(unwrap(await comparer.compare([same], key, true))).toEqual([{ id: 'r', state: 'same' }]);
  });
});
