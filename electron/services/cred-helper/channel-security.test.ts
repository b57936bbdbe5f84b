// What an attacker on the same machine would try against the helper channel: connect as another user,
// read the install secret, talk to the socket without the secret (or with a wrong one), flood it, or
// plant the folder before Regvault starts. Run as root (as CI is), the other user is `nobody`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHelperChannel, type HelperChannel } from './channel-server';
import { channelPaths, MAX_FRAME_BYTES, type ChannelRequest, type ChannelResponse } from './wire';

const NOBODY = 65_534;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let dataDir: string;
let channel: HelperChannel;
let handled: Omit<ChannelRequest, 'token'>[];

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

  it('refuses a client without the install secret, or with a wrong one, before looking at the request', async () => {
    const request = { v: 1, action: 'get', serverURL: 'ghcr.io' };
    for (const token of [undefined, '', 'guess', randomBytes(32).toString('hex')]) {
      const answer = answerOf(await exchangeRaw(`${JSON.stringify({ ...request, token })}\n`));
      expect(answer).toEqual({ kind: 'refused', message: expect.stringMatching(/^unauthorized/) });
    }
    expect(answerOf(await exchangeRaw('not json\n'))).toEqual({ kind: 'refused', message: 'malformed request' });
    expect(handled).toEqual([]);
    // The same request with the secret from the 0600 file is answered.
    const token = (await readFile(channel.paths.secretFile, 'utf8')).trim();
    expect(answerOf(await exchangeRaw(`${JSON.stringify({ ...request, token })}\n`))).toMatchObject({
      kind: 'credential',
    });
    expect(handled).toEqual([{ v: 1, action: 'get', serverURL: 'ghcr.io' }]);
  });

  it('refuses a well-authenticated request of the wrong shape', async () => {
    const token = (await readFile(channel.paths.secretFile, 'utf8')).trim();
    const odd = { v: 1, token, action: 'delete-everything', serverURL: 'ghcr.io' };
    expect(answerOf(await exchangeRaw(`${JSON.stringify(odd)}\n`))).toEqual({
      kind: 'refused',
      message: 'malformed request',
    });
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
