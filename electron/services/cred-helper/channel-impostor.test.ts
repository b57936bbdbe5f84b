// Someone else serving the helper's channel: the helper (the real client code) must send them nothing
// — not its proof, not the credential `docker login` hands it. A same-user process without the install
// secret cannot prove it; a socket another user owns is refused before connecting (root here acts as
// that user through chown). The Windows pipe's name is random and read from the user-only folder; its
// parsing and the owner rule are tested as units (no Windows here: see README).
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newPipeName, readPipeName, socketOwnedBy } from './channel-auth';
import { runCredentialHelper } from './client';
import { channelPaths, resolveEndpoint } from './wire';

const NOBODY = 65_534;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let dataDir: string;
let fake: Server | null = null;
let received: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'regvault-impostor-'));
  const paths = channelPaths(dataDir, process.platform);
  await mkdir(paths.dir, { mode: 0o700 });
  // The real install secret is there (the helper reads it); the impostor does not know it.
  await writeFile(paths.secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  received = '';
});

afterEach(async () => {
  await new Promise<void>((resolve) => (fake ? fake.close(() => resolve()) : resolve()));
  fake = null;
  await rm(dataDir, { recursive: true, force: true });
});

/** Serves the socket path like the app would, answering hellos with a made-up proof and recording everything. */
async function serveImpostor(): Promise<string> {
  const { socket } = channelPaths(dataDir, process.platform);
  fake = createServer((conn) => {
    let greeted = false;
    conn.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (greeted || !received.includes('\n')) return;
      greeted = true;
      conn.write(
        `${JSON.stringify({ nonce: randomBytes(32).toString('hex'), proof: randomBytes(32).toString('hex') })}\n`,
      );
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => fake?.listen(socket, resolve));
  return socket;
}

async function store(): Promise<{ code: number; out: string }> {
  let out = '';
  const input = JSON.stringify({ ServerURL: 'ghcr.io', Username: 'bot', Secret: 'hunter2-stored-by-docker' });
  const code = await runCredentialHelper({
    args: ['store'],
    stdin: (async function* () {
      yield input;
    })(),
    write: (text) => (out += text),
    dataDir,
    platform: process.platform,
    version: '0.0.0',
    answerTimeoutMs: 5_000,
  });
  return { code, out };
}

describe('the helper facing a server that is not Regvault', () => {
  it('a same-user server without the install secret gets the hello and nothing else', async () => {
    await serveImpostor();
    const { code, out } = await store();
    expect(code).toBe(1);
    expect(out).toMatch(/is not Regvault's .*nothing was sent/);
    expect(received).toMatch(/^\{"v":2,"hello":"[0-9a-f]{64}"\}\n$/);
    expect(received).not.toContain('hunter2');
    expect(received).not.toContain('proof');
  });

  it('a socket another user owns is refused before connecting', async () => {
    expect(isRoot, 'run this test as root (as CI does) so the socket can belong to nobody').toBe(true);
    const socket = await serveImpostor();
    await chown(socket, NOBODY, NOBODY);
    const { code, out } = await store();
    expect(code).toBe(1);
    expect(out).toMatch(/another user owns it/);
    expect(received).toBe('');
  });
});

describe('units: the pipe name and the owner rule', () => {
  it('makes a random pipe name each time and reads back only a well-formed one', async () => {
    const first = newPipeName();
    expect(first).toMatch(/^\\\\\.\\pipe\\regvault-[0-9a-f]{32}$/);
    expect(newPipeName()).not.toBe(first);
    expect(readPipeName(`${first}\r\n`)).toBe(first);
    for (const bad of ['', '\\\\.\\pipe\\regvault-docker-helper', '\\\\.\\pipe\\other-0123', `${first}x`, 'C:\\x'])
      expect(readPipeName(bad)).toBeNull();
    const paths = channelPaths(dataDir, 'win32');
    expect(await resolveEndpoint(paths, 'win32')).toBeNull();
    await writeFile(paths.pipeNameFile, `${first}\n`, { mode: 0o600 });
    expect(await resolveEndpoint(paths, 'win32')).toBe(first);
    expect(await resolveEndpoint(paths, 'linux')).toBe(paths.socket);
  });

  it("trusts a socket only when it and its 0700 folder are this user's", () => {
    const mine = { socketUid: 1000, dirUid: 1000, dirMode: 0o40700, isSocket: true };
    expect(socketOwnedBy(mine, 1000)).toBe(true);
    expect(socketOwnedBy({ ...mine, socketUid: 1001 }, 1000)).toBe(false);
    expect(socketOwnedBy({ ...mine, dirUid: 0 }, 1000)).toBe(false);
    expect(socketOwnedBy({ ...mine, dirMode: 0o40755 }, 1000)).toBe(false);
    expect(socketOwnedBy({ ...mine, isSocket: false }, 1000)).toBe(false);
  });
});
