// What an attacker on the same machine would try against the helper channel: connect as another user,
// read the install secret, talk to the socket without the secret (or with a wrong proof), flood it,
// plant the folder before Regvault starts, or serve the socket itself to collect what the helper sends.
// Run as root (as CI is), the other user is `nobody`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshNonce, proveClient, proveServer } from './channel-auth';
import { startHelperChannel, type HelperChannel } from './channel-server';
import { channelPaths, MAX_FRAME_BYTES, takeLine, type ChannelRequest, type ChannelResponse } from './wire';

const NOBODY = 65_534;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let dataDir: string;
let channel: HelperChannel;
let handled: Omit<ChannelRequest, 'proof'>[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'regvault-channel-'));
  // The data folder itself is open to others here, so only the channel's own protections stand in the way.
  await chmod(dataDir, 0o755);
  handled = [];
  const started = await startHelperChannel(dataDir, process.platform, (request) => {
    handled.push(request);
    return Promise.resolve({ kind: 'credential', username: 'u', secret: 's' });
  });
  if (!started.ok) throw new Error(started.error.message);
  channel = started.value;
});

afterEach(async () => {
  await channel.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends raw bytes and reads what comes back until the server closes the connection. */
function exchangeRaw(payload: string | Buffer): Promise<string> {
  return new Promise((done) => {
    const socket = connect(channel.paths.socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => done(Buffer.concat(chunks).toString('utf8')));
    socket.write(payload);
  });
}

/**
 * Says hello, reads the server's proof, then sends `request` with the proof `prove` makes from both
 * nonces (a real client's, or a forger's); resolves with the server's proof line and the final answer.
 */
function handshake(
  request: Record<string, unknown>,
  prove: (hello: string, nonce: string) => string | undefined,
): Promise<{ server: { nonce: string; proof: string; hello: string }; answer: string }> {
  return new Promise((done) => {
    const socket = connect(channel.paths.socket);
    const hello = freshNonce();
    let buffer = Buffer.alloc(0);
    let server: { nonce: string; proof: string; hello: string } | null = null;
    const rest: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      if (server) return void rest.push(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      const taken = takeLine(buffer);
      if (!taken) return;
      server = { ...(JSON.parse(taken.line) as { nonce: string; proof: string }), hello };
      rest.push(Buffer.from(taken.rest));
      socket.write(`${JSON.stringify({ v: 2, ...request, proof: prove(hello, server.nonce) })}\n`);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => server && done({ server, answer: Buffer.concat(rest).toString('utf8') }));
    socket.write(`${JSON.stringify({ v: 2, hello })}\n`);
  });
}

function answerOf(text: string): ChannelResponse {
  return JSON.parse(text.trim()) as ChannelResponse;
}

/** Runs a tiny node program as `nobody`; resolves with what it printed. */
function runAsNobody(source: string, args: readonly string[]): Promise<string> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['-e', source, ...args], { uid: NOBODY, gid: NOBODY, cwd: '/' });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.on('close', () => done(Buffer.concat(out).toString('utf8').trim()));
  });
}

describe('the helper channel', () => {
  it('keeps its socket 0600 and install secret 0600 inside a 0700 folder of this user', async () => {
    const paths = channelPaths(dataDir, process.platform);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(paths.socket)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.secretFile)).mode & 0o777).toBe(0o600);
    expect((await readFile(paths.secretFile, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses another user: nobody can neither connect nor read the install secret', async () => {
    // Root ignores permission bits, so the other user must really be another user.
    expect(isRoot, 'run this test as root (as CI does) so it can act as nobody').toBe(true);
    const connectProgram = `const s = require('net').connect(process.argv[1]); s.on('connect', () => { console.log('connected'); s.destroy(); }); s.on('error', (e) => console.log(e.code));`;
    expect(await runAsNobody(connectProgram, [channel.paths.socket])).toBe('EACCES');
    const readProgram = `try { require('fs').readFileSync(process.argv[1]); console.log('read'); } catch (e) { console.log(e.code); }`;
    expect(await runAsNobody(readProgram, [channel.paths.secretFile])).toBe('EACCES');
    expect(handled).toEqual([]);
  });

  it('proves the install secret first, and refuses a client without it (or with a wrong proof) before looking at the request', async () => {
    const secret = (await readFile(channel.paths.secretFile, 'utf8')).trim();
    const request = { action: 'get', serverURL: 'ghcr.io' };
    const wrong = randomBytes(32).toString('hex');
    for (const prove of [
      () => undefined,
      () => '',
      () => 'guess',
      (h: string, n: string) => proveClient(wrong, h, n),
    ]) {
      const { answer } = await handshake(request, prove);
      expect(answerOf(answer)).toEqual({ kind: 'refused', message: expect.stringMatching(/^unauthorized/) });
    }
    // The old form (the secret itself as a token, no hello) gets nothing either.
    expect(answerOf(await exchangeRaw(`${JSON.stringify({ v: 1, token: secret, ...request })}\n`))).toEqual({
      kind: 'refused',
      message: 'malformed request',
    });
    expect(answerOf(await exchangeRaw('not json\n'))).toEqual({ kind: 'refused', message: 'malformed request' });
    expect(handled).toEqual([]);
    // With the secret from the 0600 file: the server's proof verifies, and the request is answered.
    const { server, answer } = await handshake(request, (h, n) => proveClient(secret, h, n));
    expect(server.proof).toBe(proveServer(secret, server.hello, server.nonce));
    expect(answerOf(answer)).toMatchObject({ kind: 'credential' });
    expect(handled).toEqual([{ v: 2, action: 'get', serverURL: 'ghcr.io' }]);
  });

  it('refuses a well-authenticated request of the wrong shape', async () => {
    const secret = (await readFile(channel.paths.secretFile, 'utf8')).trim();
    const odd = { action: 'delete-everything', serverURL: 'ghcr.io' };
    const { answer } = await handshake(odd, (h, n) => proveClient(secret, h, n));
    expect(answerOf(answer)).toEqual({ kind: 'refused', message: 'malformed request' });
    expect(handled).toEqual([]);
  });

  it('closes a connection that sends more than a frame without a newline', async () => {
    expect(await exchangeRaw(Buffer.alloc(MAX_FRAME_BYTES + 1024, 'x'))).toBe('');
    expect(handled).toEqual([]);
  });

  it('keeps the install secret across restarts (installed helpers keep working)', async () => {
    const before = await readFile(channel.paths.secretFile, 'utf8');
    await channel.close();
    const again = await startHelperChannel(dataDir, process.platform, () => Promise.resolve({ kind: 'done' }));
    if (!again.ok) throw new Error(again.error.message);
    channel = again.value;
    expect(await readFile(channel.paths.secretFile, 'utf8')).toBe(before);
  });

  it('will not serve from a folder another user planted beforehand', async () => {
    expect(isRoot, 'run this test as root (as CI does) so it can act as nobody').toBe(true);
    const planted = await mkdtemp(join(tmpdir(), 'regvault-planted-'));
    await mkdir(join(planted, 'docker-helper'));
    await chown(join(planted, 'docker-helper'), NOBODY, NOBODY);
    const started = await startHelperChannel(planted, process.platform, () => Promise.resolve({ kind: 'done' }));
    expect(started).toMatchObject({ ok: false, error: { code: 'channel-unsafe' } });
    await rm(planted, { recursive: true, force: true });
  });
});
