// The relay and the agent as their own packages: `npm pack` of relay/ and agent/ (their prepack
// builds the bundles), each installed from its tarball into an empty folder with its own runtime
// dependencies only, then run from there — the installed relay on SQLite and on PostgreSQL, and the
// installed agent joining a vault on it and serving its credential through its helper.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPostgres, type PgCluster } from '../../support/postgres';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../sync/harness';
import { jobEnv, runAgent, startAgent } from './agent-cli';
import { admitJoin, inviteService, startTeamAdmin } from './team-admin';

const root = resolve(import.meta.dirname, '../../..');
let packs: string;
let relayDir: string;
let agentDir: string;
let cluster: PgCluster | undefined;
const relays: RelayProcess[] = [];

/** Installs a tarball into a new empty folder, as a user would (from the npm cache where it can). */
function installInto(tarball: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-install-'));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], {
    cwd: dir,
    stdio: 'pipe',
  });
  return dir;
}

beforeAll(async () => {
  packs = mkdtempSync(join(tmpdir(), 'regvault-packs-'));
  execFileSync('npm', ['pack', './relay', './agent', '--pack-destination', packs], { cwd: root, stdio: 'pipe' });
  const tarball = (name: string) => join(packs, readdirSync(packs).find((f) => f.startsWith(name)) ?? name);
  relayDir = installInto(tarball('regvault-relay-'));
  agentDir = installInto(tarball('regvault-agent-'));
  cluster = await startPostgres();
}, 600_000);

afterAll(async () => {
  for (const relay of relays) {
    await relay.kill();
    removeDataDir(relay);
  }
  cluster?.stop();
  for (const dir of [packs, relayDir, agentDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('each package installs only its own runtime dependencies, no source and no dev tooling', () => {
  const installed = (dir: string) => readdirSync(join(dir, 'node_modules')).filter((name) => !name.startsWith('.'));
  expect(installed(relayDir)).toContain('better-sqlite3');
  expect(installed(relayDir)).not.toContain('typescript');
  expect(installed(agentDir)).not.toContain('better-sqlite3');
  expect(installed(agentDir)).not.toContain('electron');
  expect(readdirSync(join(agentDir, 'node_modules', 'regvault-agent', 'dist')).sort()).toEqual([
    'docker-credential-regvault.cjs',
    'regvault.cjs',
  ]);
});

test('the installed relay runs on PostgreSQL (--database)', async () => {
  if (!cluster) throw new Error('PostgreSQL did not start');
  const relay = await startRelayProcess({
    database: await cluster.createDatabase(),
    command: [join(relayDir, 'node_modules/.bin/regvault-relay')],
  });
  relays.push(relay);
  expect(relay.output[0]).toContain('"database":"postgres"');
});

test('the installed agent joins a vault on the installed relay and serves its credential', async () => {
  const relay = await startRelayProcess({
    database: null,
    command: [join(relayDir, 'node_modules/.bin/regvault-relay')],
  });
  relays.push(relay);
  expect(relay.output[0]).toContain('"database":"sqlite"');
  const registry = '127.0.0.1:5999';
  const admin = await startTeamAdmin([relay.url], { registry, username: 'ci', password: 'smoke-secret' });
  try {
    const regvault = [join(agentDir, 'node_modules/.bin/regvault')];
    const home = mkdtempSync(join(tmpdir(), 'regvault-smoke-'));
    const { invitation, code } = await inviteService(admin);
    const joining = startAgent(['agent', 'join', code, '--name', 'Smoke test'], jobEnv(home, {}), regvault);
    await joining.waitForLine(/Waiting for Alice/);
    await admitJoin(admin, invitation);
    const joined = await joining.done;
    expect(joined.code, joined.stderr).toBe(0);
    const env = jobEnv(home, { REGVAULT_AGENT_KEY: joined.stdout.trim() }, join(agentDir, 'node_modules/.bin'));
    const got = await runAgent(['get', registry], env, regvault);
    expect(got.stdout).toBe('smoke-secret\n');
    const helper = await runHelper(
      join(agentDir, 'node_modules/.bin/docker-credential-regvault'),
      'get',
      registry,
      env,
    );
    expect(helper).toEqual({
      code: 0,
      stdout: '{"ServerURL":"127.0.0.1:5999","Username":"ci","Secret":"smoke-secret"}\n',
    });
  } finally {
    await admin.client.stop();
  }
});

function runHelper(path: string, action: string, input: string, env: Readonly<Record<string, string>>) {
  return new Promise<{ code: number; stdout: string }>((done) => {
    const child = execFile(path, [action], { env: { ...env }, timeout: 30_000 }, (error, stdout) =>
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout }),
    );
    child.stdin?.end(input);
  });
}
