// The docker-credential-regvault executable's logic: reads Docker's request, asks the running app
// over the private local channel and prints the answer. Before it sends anything, the server must
// prove it holds the install secret (channel-auth.ts) — and on Unix the socket and its folder must
// belong to this user — so a server another user planted gets nothing. It never waits long: no app,
// no secret file or no answer in time each end in exit code 1 at once.
import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { readDockerKey } from '../../../shared/registry/registry-key';
import {
  formatCredential,
  MAX_INPUT_BYTES,
  NOT_FOUND_MESSAGE,
  parseInvocation,
  parseServerUrl,
  parseStoreInput,
  encodeLikeGo,
} from './protocol';
import { freshNonce, proveClient, proveServer, sameProof, serverProofSchema, socketOwnedBy } from './channel-auth';
import {
  channelPaths,
  channelResponseSchema,
  resolveEndpoint,
  MAX_FRAME_BYTES,
  takeLine,
  type ChannelAction,
  type ChannelRequest,
  type ChannelResponse,
} from './wire';

/** How long the helper waits for the app's answer (the app may be opening a vault); Docker is never left hanging. */
export const ANSWER_TIMEOUT_MS = 15_000;

/** What one run of the helper needs from its process: argv, stdin, stdout and where the app keeps its data. */
export type HelperProcess = Readonly<{
  args: readonly string[];
  stdin: AsyncIterable<Buffer | string>;
  write: (text: string) => void;
  dataDir: string;
  platform: NodeJS.Platform;
  version: string;
  answerTimeoutMs?: number;
  /**
   * Asked when no app answers (not running, or no install secret): e.g. the headless agent's synced copy.
   * Null: nobody else can answer either, and the helper says Regvault is not running.
   */
  fallback?: (request: HelperRequest) => Promise<ChannelResponse | null>;
}>;

/** A request as the helper reads it from Docker (the channel's request without its envelope). */
export type HelperRequest = Omit<ChannelRequest, 'proof' | 'v'>;

type Outcome = Readonly<{ text: string; code: number }>;

/** Reads stdin up to `limit` bytes; null when it is longer (the helper then stops reading). */
async function readBounded(stdin: AsyncIterable<Buffer | string>, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) return null;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The registry a server URL names, for messages ("ghcr.io"); the URL itself when it names none. */
function registryName(serverURL: string | undefined): string {
  if (serverURL === undefined) return 'registry';
  const key = readDockerKey(serverURL);
  return key.ok ? key.display : serverURL;
}

function impostor(endpoint: string): Outcome {
  return {
    text: `The helper channel at ${endpoint} is not Regvault's (it could not prove the install secret, or another user owns it): nothing was sent. Quit whatever serves it and restart Regvault.`,
    code: 1,
  };
}

function notRunning(serverURL: string | undefined): Outcome {
  return {
    text: `Regvault is not running: start it and unlock it to use ${registryName(serverURL)} credentials`,
    code: 1,
  };
}

type Exchanged = ChannelResponse | 'unreachable' | 'no-answer' | 'impostor';

/**
 * Says hello, checks the server's proof of the install secret, then sends one request with its own
 * proof and reads one answer line. A server that cannot prove the secret gets nothing more ('impostor').
 */
function exchange(
  endpoint: string,
  secret: string,
  request: Omit<ChannelRequest, 'proof' | 'v'>,
  timeoutMs: number,
): Promise<Exchanged> {
  return new Promise((resolve) => {
    const socket = connect(endpoint);
    const hello = freshNonce();
    let buffer = Buffer.alloc(0);
    let verified = false;
    let settled = false;
    const finish = (value: Exchanged) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish('no-answer'), timeoutMs);
    let connected = false;
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ v: 2, hello })}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_FRAME_BYTES) return finish('no-answer');
      const taken = takeLine(buffer);
      if (taken === null) return;
      buffer = Buffer.from(taken.rest);
      if (!verified) {
        const nonce = checkServer(taken.line, secret, hello);
        if (nonce === null) return finish('impostor');
        verified = true;
        const line: ChannelRequest = { v: 2, proof: proveClient(secret, hello, nonce), ...request };
        socket.write(`${JSON.stringify(line)}\n`);
        return;
      }
      finish(parseAnswer(taken.line) ?? 'no-answer');
    });
    socket.on('error', () => finish(connected ? 'no-answer' : 'unreachable'));
    socket.on('close', () => finish(connected ? 'no-answer' : 'unreachable'));
  });
}

// The server's nonce when its proof over our hello verifies; null otherwise.
function checkServer(line: string, secret: string, hello: string): string | null {
  try {
    const parsed = serverProofSchema.safeParse(JSON.parse(line));
    if (!parsed.success) return null;
    return sameProof(proveServer(secret, hello, parsed.data.nonce), parsed.data.proof) ? parsed.data.nonce : null;
  } catch {
    return null;
  }
}

// Unix: the socket and its folder must be this user's (a 0700 folder); Windows has no owner to read here.
async function trustedSocket(endpoint: string, platform: NodeJS.Platform): Promise<boolean | 'missing'> {
  if (platform === 'win32' || typeof process.getuid !== 'function') return true;
  try {
    const [socket, dir] = await Promise.all([lstat(endpoint), stat(dirname(endpoint))]);
    const facts = { socketUid: socket.uid, dirUid: dir.uid, dirMode: dir.mode, isSocket: socket.isSocket() };
    return socketOwnedBy(facts, process.getuid());
  } catch {
    return 'missing';
  }
}

function parseAnswer(line: string): ChannelResponse | null {
  try {
    const parsed = channelResponseSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Turns the app's answer into what the protocol prints. */
function render(answer: ChannelResponse, serverURL: string | undefined): Outcome {
  switch (answer.kind) {
    case 'credential':
      return { text: formatCredential(serverURL ?? '', answer.username, answer.secret), code: 0 };
    case 'list':
      return { text: encodeLikeGo(answer.items), code: 0 };
    case 'done':
      return { text: '', code: 0 };
    case 'not-found':
      return { text: `${NOT_FOUND_MESSAGE}\n`, code: 1 };
    case 'refused':
      return { text: `${answer.message}\n`, code: 1 };
  }
}

/** The request for the app from the action and stdin, or the line to print when the input is refused. */
async function buildRequest(
  action: ChannelAction,
  stdin: AsyncIterable<Buffer | string>,
): Promise<Omit<ChannelRequest, 'proof' | 'v'> | Outcome> {
  // `list` gets no meaningful input (Docker's client sends "unused"): stdin is not read.
  if (action === 'list') return { action };
  const input = await readBounded(stdin, MAX_INPUT_BYTES);
  if (input === null) return { text: `input too large: more than ${MAX_INPUT_BYTES} bytes on stdin\n`, code: 1 };
  if (action === 'store') {
    const parsed = parseStoreInput(input);
    if (!parsed.ok) return { text: `${parsed.message}\n`, code: 1 };
    const { serverURL, username, secret } = parsed.value;
    return { action, serverURL, username, secret };
  }
  const parsed = parseServerUrl(input);
  return parsed.ok ? { action, serverURL: parsed.serverURL } : { text: `${parsed.message}\n`, code: 1 };
}

async function readToken(secretFile: string): Promise<string | null> {
  try {
    const token = (await readFile(secretFile, 'utf8')).trim();
    return token === '' ? null : token;
  } catch {
    return null;
  }
}

/** Runs the helper once; resolves with the exit code after writing everything to stdout. */
export async function runCredentialHelper(io: HelperProcess): Promise<number> {
  const outcome = await decide(io);
  io.write(outcome.text.endsWith('\n') || outcome.text === '' ? outcome.text : `${outcome.text}\n`);
  return outcome.code;
}

async function decide(io: HelperProcess): Promise<Outcome> {
  const invocation = parseInvocation(io.args, io.version);
  if (invocation.kind === 'print') return invocation;
  const request = await buildRequest(invocation.action, io.stdin);
  if ('code' in request) return request;
  const paths = channelPaths(io.dataDir, io.platform);
  const secret = await readToken(paths.secretFile);
  const endpoint = await resolveEndpoint(paths, io.platform);
  // No desktop app to ask: an agent's synced copy may answer instead (get and list only).
  const fallBack = async () => {
    const fallen = io.fallback ? await io.fallback(request) : null;
    return fallen === null ? notRunning(request.serverURL) : render(fallen, request.serverURL);
  };
  if (secret === null || endpoint === null) return fallBack();
  const trusted = await trustedSocket(endpoint, io.platform);
  if (trusted === 'missing') return fallBack();
  if (!trusted) return impostor(endpoint);
  const answer = await exchange(endpoint, secret, request, io.answerTimeoutMs ?? ANSWER_TIMEOUT_MS);
  if (answer === 'unreachable') return fallBack();
  if (answer === 'impostor') return impostor(endpoint);
  if (answer === 'no-answer') {
    return {
      text: `Regvault did not answer in time: open its window, unlock it and try again (${registryName(request.serverURL)})`,
      code: 1,
    };
  }
  return render(answer, request.serverURL);
}

/** Runs the helper as this Node process (argv, stdin, stdout, exit code); `fallback` as in `HelperProcess`. */
export function runCredentialHelperProcess(
  dataDir: string,
  version: string,
  fallback?: HelperProcess['fallback'],
): void {
  void runCredentialHelper({
    args: process.argv.slice(2),
    stdin: process.stdin,
    write: (text) => process.stdout.write(text),
    dataDir,
    platform: process.platform,
    version,
    ...(fallback ? { fallback } : {}),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.stdout.write('Regvault helper failed unexpectedly\n');
      process.exitCode = 1;
    },
  );
}
