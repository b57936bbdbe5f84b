/**
 * Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 for tests: a generated config in a temporary
 * directory, a free port, readiness by polling `/v2/`, and `stop()` that kills it and removes the directory.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as requestHttp } from 'node:http';
import { request as requestHttps } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Token auth of the registry (`auth.token`): tokens must come from `issuer`, for `service`, chained to the bundle. */
export type RegistryTokenAuth = Readonly<{ realm: string; service: string; issuer: string; rootCertBundle: string }>;

/** How to start a registry. `users` (name → password) feed htpasswd; `tls` is PEM text. */
export type StartRegistryOptions = Readonly<{
  auth: 'htpasswd' | 'token' | 'none';
  tls?: Readonly<{ cert: string; key: string }>;
  users?: Readonly<Record<string, string>>;
  token?: RegistryTokenAuth;
  /** How long to wait for the first answer; default 20 s (a loaded 2-core machine). */
  readyTimeoutMs?: number;
}>;

/** A running registry: `host` is the Docker `auths` key (`127.0.0.1:<port>`), `url` its base URL. */
export type RunningRegistry = Readonly<{
  host: string;
  port: number;
  url: string;
  stop: () => Promise<void>;
  /** The htpasswd file (auth `htpasswd`): a test may rewrite it to rotate a password; the registry re-reads it. */
  htpasswdPath?: string;
  /** The registry's storage folder (`storage.filesystem.rootdirectory`), for tests that look at what it holds. */
  dataDir: string;
}>;

/** Asks the OS for a free TCP port on 127.0.0.1 (released again before the registry binds it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function writeHtpasswd(dir: string, users: Readonly<Record<string, string>>): Promise<string> {
  const lines: string[] = [];
  for (const [name, password] of Object.entries(users)) {
    const { stdout } = await run('htpasswd', ['-Bbn', name, password]);
    lines.push(stdout.trim());
  }
  const path = join(dir, 'htpasswd');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function buildAuthConfig(
  dir: string,
  options: StartRegistryOptions,
): Promise<Record<string, unknown> | undefined> {
  if (options.auth === 'none') return undefined;
  if (options.auth === 'htpasswd') {
    return { htpasswd: { realm: 'regvault-test', path: await writeHtpasswd(dir, options.users ?? {}) } };
  }
  if (options.token === undefined) throw new Error('auth "token" needs the token options');
  const bundle = join(dir, 'token-roots.pem');
  await writeFile(bundle, options.token.rootCertBundle);
  const { realm, service, issuer } = options.token;
  return { token: { realm, service, issuer, rootcertbundle: bundle } };
}

/** Writes the registry config as JSON (valid YAML, no quoting traps) and returns its path. */
async function writeConfig(dir: string, port: number, options: StartRegistryOptions): Promise<string> {
  const http: Record<string, unknown> = { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') };
  if (options.tls !== undefined) {
    await writeFile(join(dir, 'tls.crt'), options.tls.cert);
    await writeFile(join(dir, 'tls.key'), options.tls.key, { mode: 0o600 });
    http['tls'] = { certificate: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  }
  const auth = await buildAuthConfig(dir, options);
  const config = {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') } },
    http,
    ...(auth === undefined ? {} : { auth }),
  };
  const path = join(dir, `config-${port}.yml`);
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/** One GET of `/v2/`; resolves with any HTTP status, rejects on a connection error. */
function pingOnce(url: string, ca: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? requestHttps : requestHttp;
    const request = send(
      `${url}/v2/`,
      { agent: false, timeout: 1000, ...(ca === undefined ? {} : { ca }) },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('timeout', () => request.destroy(new Error('ping timed out')));
    request.on('error', reject);
    request.end();
  });
}

/** Polls until the registry answers, the process exits, or the time is up. */
async function waitUntilAnswering(
  url: string,
  ca: string | undefined,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode})`);
    try {
      await pingOnce(url, ca);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`docker-registry did not answer at ${url} within ${timeoutMs} ms: ${String(error)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startOnce(dir: string, options: StartRegistryOptions): Promise<RunningRegistry> {
  const port = await findFreePort();
  const configPath = await writeConfig(dir, port, options);
  const child = spawn('docker-registry', ['serve', configPath], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(url, options.tls?.cert, child, options.readyTimeoutMs ?? 20_000);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  }
  return { host: `127.0.0.1:${port}`, port, url, dataDir: join(dir, 'data'), stop: () => stopProcess(child) };
}

/** Starts a registry; retries on a fresh port if another process took the free one first. */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'regvault-registry-'));
  await mkdir(join(dir, 'data'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const registry = await startOnce(dir, options);
      const stop = async (): Promise<void> => {
        await registry.stop();
        await rm(dir, { recursive: true, force: true });
      };
      const htpasswdPath = options.auth === 'htpasswd' ? join(dir, 'htpasswd') : undefined;
      return { ...registry, stop, ...(htpasswdPath === undefined ? {} : { htpasswdPath }) };
    } catch (error) {
      lastError = error;
      if (!String(error).includes('address already in use')) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
