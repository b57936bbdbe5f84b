import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { applyDockerConfig, listBackups, planDockerConfig } from './docker-config';
import type { DockerCredential } from './docker-config';
import { unwrap } from './fixtures/docker-config-cases';
import { crashSets } from './fixtures/docker-config-crash-child';
import { writeConfigObject } from './fixtures/docker-config-env';
import type { DockerTestEnv } from './fixtures/docker-config-env';

const CHILD = fileURLToPath(new URL('./fixtures/docker-config-crash-child.ts', import.meta.url));
const KILLS = 50;
const LANES = 2; // two children at a time keep the 50 kills well inside the time budget on 2 cores

const baseConfig = {
  auths: { 'quay.io': { auth: Buffer.from('org+robot:keep').toString('base64') } },
  proxies: { default: { httpProxy: 'http://proxy:3128' } },
  currentContext: 'colima',
  'x-custom': { keep: true },
};

const tempRoots: string[] = [];
afterAll(() => Promise.all(tempRoots.map((root) => rm(root, { recursive: true, force: true }))));

async function newConfigDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'regvault-crash-'));
  tempRoots.push(root);
  const configDir = join(root, '.docker');
  const testEnv: DockerTestEnv = {
    root,
    home: root,
    configDir,
    configPath: join(configDir, 'config.json'),
    helperStore: '',
    env: {},
  };
  await writeConfigObject(testEnv, baseConfig);
  await chmod(testEnv.configPath, 0o640);
  return configDir;
}

/** The exact text each credential set produces on top of baseConfig. */
async function expectedTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const set of crashSets) {
    const configDir = await newConfigDir();
    unwrap(
      await applyDockerConfig(unwrap(await planDockerConfig(set as DockerCredential[], { configDir })), { configDir }),
    );
    texts.push(await readFile(join(configDir, 'config.json'), 'utf8'));
  }
  return texts;
}

/**
 * Bundles the child once. `node --import tsx` works too, but costs ~1 s of start-up per
 * run; 50 runs of a plain bundle fit the test-time budget.
 */
async function bundleChild(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'regvault-crash-child-'));
  tempRoots.push(root);
  const outfile = join(root, 'child.mjs');
  await build({
    entryPoints: [CHILD],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** Starts the looping child, waits until it has written, then SIGKILLs it after a random moment. */
function runAndKill(childScript: string, configDir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript], {
      env: { ...process.env, REGVAULT_CRASH_CHILD_DIR: configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (killed || !chunk.toString().includes('ready')) return;
      killed = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child ended on its own: ${stderr}`)),
    );
  });
}

async function runLane(childScript: string, kills: number, allowed: readonly string[]): Promise<string> {
  const configDir = await newConfigDir();
  const configPath = join(configDir, 'config.json');
  for (let kill = 0; kill < kills; kill += 1) {
    await runAndKill(childScript, configDir, Math.random() * 40);
    const text = await readFile(configPath, 'utf8');
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(allowed).toContain(text);
    expect((await stat(configPath)).mode & 0o777).toBe(0o640);
  }
  return configDir;
}

describe('a write killed at any moment', () => {
  it(`leaves config.json whole, old or new, across ${KILLS} SIGKILLs`, async () => {
    const [childScript, allowed] = await Promise.all([bundleChild(), expectedTexts()]);
    expect(allowed[0]).not.toBe(allowed[1]);
    const dirs = await Promise.all(Array.from({ length: LANES }, () => runLane(childScript, KILLS / LANES, allowed)));
    for (const configDir of dirs) {
      // After the crashes, a normal write still works and backups stay bounded.
      const plan = unwrap(
        await planDockerConfig([{ registry: 'ghcr.io', username: 'carol', secret: 'after' }], { configDir }),
      );
      unwrap(await applyDockerConfig(plan, { configDir, keepBackups: 3 }));
      expect(await readFile(join(configDir, 'config.json'), 'utf8')).toContain(
        Buffer.from('carol:after').toString('base64'),
      );
      expect((await listBackups(configDir, 'config.json')).length).toBeLessThanOrEqual(3);
      // Temp files of killed writers are cleaned up by the next write.
      expect((await readdir(configDir)).filter((name) => name.includes('regvault-tmp'))).toEqual([]);
    }
  }, 120_000);
});
