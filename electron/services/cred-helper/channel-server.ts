// The app's end of the helper channel: a Unix socket (mode 0600, in a 0700 folder of the app's data
// directory) or a named pipe on Windows, and a per-install secret (0600 file beside it) that every
// request must carry. One JSON line in, one JSON line out, then the connection closes; anything
// malformed, too long, too slow or without the secret is refused. Requests are never logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { fail, ok, type Failure, type Result } from '../../../shared/result';
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

/** The running channel. */
export type HelperChannel = Readonly<{ paths: ChannelPaths; close: () => Promise<void> }>;

/** What the channel calls for each authenticated, well-formed request. */
export type HandleRequest = (request: Omit<ChannelRequest, 'token'>) => Promise<ChannelResponse>;

const REFUSED_UNAUTHORIZED: ChannelResponse = {
  kind: 'refused',
  message: 'unauthorized: this client does not hold Regvault’s install secret',
};
const REFUSED_MALFORMED: ChannelResponse = { kind: 'refused', message: 'malformed request' };

function digestOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

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

/** Answers one connection: exactly one request line, one answer line. */
function serveConnection(socket: Socket, expected: Buffer, handle: HandleRequest): void {
  let buffer = Buffer.alloc(0);
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
    socket.setTimeout(0);
    socket.pause();
    void respond(taken.line, expected, handle).then(answer, () =>
      answer({ kind: 'refused', message: 'internal error' }),
    );
  });
}

async function respond(line: string, expected: Buffer, handle: HandleRequest): Promise<ChannelResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return REFUSED_MALFORMED;
  }
  // The secret is checked before the shape, so a client without it learns nothing about the schema.
  const token = typeof raw === 'object' && raw !== null ? (raw as { token?: unknown }).token : undefined;
  if (typeof token !== 'string' || !timingSafeEqual(digestOf(token), expected)) return REFUSED_UNAUTHORIZED;
  const parsed = channelRequestSchema.safeParse(raw);
  if (!parsed.success) return REFUSED_MALFORMED;
  const { token: _token, ...request } = parsed.data;
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
    const expected = digestOf(await loadOrCreateSecret(paths.secretFile));
    // One app per profile (single-instance lock): a socket left by a crash is stale.
    if (platform !== 'win32') await rm(paths.socket, { force: true });
    const server = createServer((socket) => serveConnection(socket, expected, handle));
    await listen(server, paths.socket);
    if (platform !== 'win32') await chmod(paths.socket, 0o600);
    const close = async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (platform !== 'win32') await rm(paths.socket, { force: true });
    };
    return ok({ paths, close });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return fail(
      'channel-io',
      `The Docker helper channel could not start (${code}); docker-credential-regvault will report Regvault as not running.`,
    );
  }
}
