// The app's end of the helper channel: a Unix socket (mode 0600, in a 0700 folder of the app's data
// directory) or a named pipe with a random name on Windows, and a per-install secret (0600 file beside
// it). The helper says hello with a nonce, the server proves it holds the secret (channel-auth.ts),
// then the helper sends one request line carrying its own proof, and gets one answer line; anything
// malformed, too long, too slow or without a valid proof is refused. Requests are never logged.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
import { freshNonce, helloSchema, newPipeName, proveClient, proveServer, sameProof } from './channel-auth';
import {
  channelPaths,
  channelRequestSchema,
  MAX_FRAME_BYTES,
  takeLine,
  type ChannelPaths,
  type ChannelRequest,
  type ChannelResponse,
} from './wire';

/** How long a connection may take to send its request. */
export const REQUEST_DEADLINE_MS = 5_000;

/** Why the channel could not start. */
export type ChannelFailure = Failure<'channel-unsafe' | 'channel-io'>;

/** The running channel: its paths and where it listens (the socket, or the pipe's random name). */
export type HelperChannel = Readonly<{ paths: ChannelPaths; endpoint: string; close: () => Promise<void> }>;

/** What the channel calls for each authenticated, well-formed request. */
export type HandleRequest = (request: Omit<ChannelRequest, 'proof'>) => Promise<ChannelResponse>;

const REFUSED_UNAUTHORIZED: ChannelResponse = {
  kind: 'refused',
  message: 'unauthorized: this client does not hold Regvault’s install secret',
};
const REFUSED_MALFORMED: ChannelResponse = { kind: 'refused', message: 'malformed request' };

/** Makes the private folder (0700, owned by this user) or refuses to use one someone else controls. */
async function preparePrivateDir(dir: string, platform: NodeJS.Platform): Promise<Result<void, ChannelFailure>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32') return ok(undefined);
  const info = await stat(dir);
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
    return fail('channel-unsafe', `${dir} belongs to another user; Regvault will not serve Docker from it.`);
  }
  await chmod(dir, 0o700);
  return ok(undefined);
}

/** Reads the install secret, or creates it (32 random bytes, hex, 0600) on first start. */
async function loadOrCreateSecret(file: string): Promise<string> {
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(existing)) {
      await chmod(file, 0o600);
      return existing;
    }
  } catch {
    // none yet: created below
  }
  const secret = randomBytes(32).toString('hex');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

/** Answers one connection: a hello line (answered with the server's proof), then one request line, one answer. */
function serveConnection(socket: Socket, secret: string, handle: HandleRequest): void {
  let buffer = Buffer.alloc(0);
  let hello: { hello: string; nonce: string } | null = null;
  let answered = false;
  const answer = (response: ChannelResponse) => {
    if (answered) return;
    answered = true;
    socket.end(`${JSON.stringify(response)}\n`);
  };
  socket.setTimeout(REQUEST_DEADLINE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    buffer = Buffer.concat([buffer, chunk]);
    if (buffer.length > MAX_FRAME_BYTES) return void socket.destroy();
    const taken = takeLine(buffer);
    if (taken === null) return;
    buffer = Buffer.from(taken.rest);
    if (hello === null) {
      hello = greet(taken.line);
      if (hello === null) return answer(REFUSED_MALFORMED);
      socket.write(`${JSON.stringify({ nonce: hello.nonce, proof: proveServer(secret, hello.hello, hello.nonce) })}\n`);
      return;
    }
    socket.setTimeout(0);
    socket.pause();
    const expected = proveClient(secret, hello.hello, hello.nonce);
    void respond(taken.line, expected, handle).then(answer, () =>
      answer({ kind: 'refused', message: 'internal error' }),
    );
  });
}

// The helper's hello: its nonce, and the server's own fresh one.
function greet(line: string): { hello: string; nonce: string } | null {
  try {
    const parsed = helloSchema.safeParse(JSON.parse(line));
    return parsed.success ? { hello: parsed.data.hello, nonce: freshNonce() } : null;
  } catch {
    return null;
  }
}

async function respond(line: string, expected: string, handle: HandleRequest): Promise<ChannelResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return REFUSED_MALFORMED;
  }
  // The proof is checked before the shape, so a client without the secret learns nothing about the schema.
  const proof = typeof raw === 'object' && raw !== null ? (raw as { proof?: unknown }).proof : undefined;
  if (!sameProof(expected, proof)) return REFUSED_UNAUTHORIZED;
  const parsed = channelRequestSchema.safeParse(raw);
  if (!parsed.success) return REFUSED_MALFORMED;
  const { proof: _proof, ...request } = parsed.data;
  return handle(request);
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path, readableAll: false, writableAll: false }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// A fresh random pipe name at each start, written (0600) into the user-only folder for the helper to read.
async function namePipe(file: string): Promise<string> {
  const name = newPipeName(randomBytes);
  await writeFile(file, `${name}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return name;
}

/** Starts the channel under `dataDir`; `handle` answers each authenticated request. */
export async function startHelperChannel(
  dataDir: string,
  platform: NodeJS.Platform,
  handle: HandleRequest,
): Promise<Result<HelperChannel, ChannelFailure>> {
  const paths = channelPaths(dataDir, platform);
  try {
    const prepared = await preparePrivateDir(paths.dir, platform);
    if (!prepared.ok) return prepared;
    const secret = await loadOrCreateSecret(paths.secretFile);
    // One app per profile (single-instance lock): a socket left by a crash is stale.
    if (platform !== 'win32') await rm(paths.socket, { force: true });
    const endpoint = platform === 'win32' ? await namePipe(paths.pipeNameFile) : paths.socket;
    const server = createServer((socket) => serveConnection(socket, secret, handle));
    await listen(server, endpoint);
    if (platform !== 'win32') await chmod(paths.socket, 0o600);
    const close = async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (platform !== 'win32') await rm(paths.socket, { force: true });
      else await rm(paths.pipeNameFile, { force: true });
    };
    return ok({ paths, endpoint, close });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return fail(
      'channel-io',
      `The Docker helper channel could not start (${code}); docker-credential-regvault will report Regvault as not running.`,
    );
  }
}
