// Refresh commands run by main (issue #17), against fake aws / az / gcloud executables on a temporary PATH.
import { mkdtemp, rm, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshPresetFor } from '../../../shared/refresh/refresh-command';
import { LEAKED_SECRET, makeFakeClouds, type FakeClouds } from '../fixtures/fake-clouds';
import { runRefreshCommand } from './run-command';

let root: string;
let clouds: FakeClouds;
let env: Record<string, string>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'regvault-refresh-'));
  clouds = await makeFakeClouds(root);
  // What the app's own environment may hold: none of it may reach a refresh command.
  env = { PATH: clouds.path, HOME: root, AWS_SECRET_ACCESS_KEY: 'parent-secret', REGVAULT_SESSION: 'x' };
});
afterAll(() => rm(root, { recursive: true, force: true }));

const options = () => ({ env, platform: process.platform, cwd: root });

/** A one-off CLI `name` running `body` (sh), alone on PATH with the system's basics. */
async function scriptOnPath(name: string, body: string): Promise<Record<string, string>> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(dir, name), 0o755);
  return { PATH: `${dir}:/usr/bin:/bin` };
}

describe('runRefreshCommand', () => {
  it('runs each preset as an argument vector and returns the token it printed', async () => {
    const presets = [
      refreshPresetFor('ecr', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'),
      refreshPresetFor('acr-entra', 'myteam.azurecr.io'),
      refreshPresetFor('gcr', 'europe-docker.pkg.dev'),
    ];
    for (const preset of presets) {
      if (preset === undefined) throw new Error('preset missing');
      const result = await runRefreshCommand(preset.argv, options());
      expect(result).toEqual({ ok: true, value: { token: `${preset.tool}-token-1` } });
    }
    expect((await clouds.runs('aws')).map((r) => r.argv)).toEqual([
      ['ecr', 'get-login-password', '--region', 'eu-west-1'],
    ]);
    expect((await clouds.runs('az')).map((r) => r.argv)).toEqual([
      ['acr', 'login', '--name', 'myteam', '--expose-token', '--output', 'tsv', '--query', 'accessToken'],
    ]);
    expect((await clouds.runs('gcloud')).map((r) => r.argv)).toEqual([['auth', 'print-access-token']]);
  });

  it('gives the command a clean environment: PATH and nothing else of the app', async () => {
    const [run] = await clouds.runs('gcloud');
    expect(run?.env['PATH']).toBe(clouds.path);
    expect(run?.env).not.toHaveProperty('HOME');
    expect(run?.env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(run?.env).not.toHaveProperty('REGVAULT_SESSION');
  });

  it('passes shell syntax through as plain arguments: nothing is expanded or executed', async () => {
    const marker = join(root, 'pwned');
    const argv = ['gcloud', `$(touch ${marker})`, `; touch ${marker}`, '`id`', '$HOME', '*'];
    expect((await runRefreshCommand(argv, options())).ok).toBe(true);
    const runs = await clouds.runs('gcloud');
    expect(runs.at(-1)?.argv).toEqual(argv.slice(1));
    await expect(writeFile(marker, '', { flag: 'wx' })).resolves.toBeUndefined(); // it did not exist
  });

  it('shows a failure with stderr, the secret in it redacted, and the product page advice', async () => {
    await clouds.fail('aws', true);
    try {
      const result = await runRefreshCommand(['aws', 'ecr', 'get-login-password'], options());
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('command-failed');
      expect(result.error.message).toContain('For ECR, regenerate the authorization token');
      expect(result.error.stderr).toContain('ExpiredTokenException');
      expect(JSON.stringify(result)).not.toContain(LEAKED_SECRET);
    } finally {
      await clouds.fail('aws', false);
    }
  });

  it('finds programs only on absolute PATH entries', async () => {
    const relative = { ...env, PATH: 'bin' };
    const result = await runRefreshCommand(['aws'], { ...options(), env: relative, cwd: root });
    expect(result).toMatchObject({ ok: false, error: { code: 'command-not-found' } });
    const missing = await runRefreshCommand(['no-such-cloud-cli'], options());
    expect(missing).toMatchObject({ ok: false, error: { code: 'command-not-found' } });
  });

  it('stops a command that does not finish in time', async () => {
    const slowEnv = await scriptOnPath('slow-cli', 'exec sleep 30');
    const result = await runRefreshCommand(['slow-cli'], { ...options(), env: slowEnv, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: { code: 'command-timeout' } });
  });

  it('refuses output that is not one token line', async () => {
    const chattyEnv = await scriptOnPath('chatty-cli', 'echo first\necho second');
    const result = await runRefreshCommand(['chatty-cli'], { ...options(), env: chattyEnv });
    expect(result).toMatchObject({ ok: false, error: { code: 'no-token' } });
    expect(JSON.stringify(result)).not.toContain('second');
  });
});
