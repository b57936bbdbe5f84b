// The relay's WebSocket server: one challenge per connection, every frame size-capped and
// schema-checked, every failure answered with a numbered error while other connections carry on.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { decodeBase64, encodeBase64 } from '../shared/crypto/bytes';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import { clientFrameSchema, encodeRelayFrame, type ClientFrame, type RelayFrame } from '../shared/sync/wire-frames';
import { protocolVersion } from '../shared/sync/wire-records';
import { checkAuthFrame } from './auth';
import { createCommitQueue } from './commit-queue';
import { resolvePublicUrl, type RelayConfig } from './config';
import { createEd25519Verifier } from './ed25519';
import { ConnectionCounter, createRateLimiter, type RelayLimits } from './limits';
import { createByteQuota } from './quotas';
import { handleRequest, type Connection, type RelayContext } from './handlers';
import { openRelayStore } from './store';
import { createVaultCache } from './vaults';

/** A running relay; `publicUrl` is the address devices must have signed (see RelayConfig). */
export type RelayServer = Readonly<{ host: string; port: number; publicUrl: string; close: () => Promise<void> }>;

/** A subscriber that reads slower than this much queued output is dropped (it resumes by catch-up). */
const maxBufferedBytes = 64 * 1024 * 1024;
const heartbeatMs = 30_000;

/** Opens the store and starts listening; resolves once the port is bound. */
export async function startRelay(config: RelayConfig): Promise<RelayServer> {
  const store = openRelayStore(config.dataDir, config.durability);
  const vaults = createVaultCache(store, config.limits.maxCachedVaults);
  const ctx: RelayContext = {
    store,
    vaults,
    queue: createCommitQueue(store, vaults),
    verify: createEd25519Verifier(),
    now: () => Date.now(),
    quotas: config.limits.quotas,
    bytes: createByteQuota(store, config.limits.quotas.bytesPerDevice),
  };
  const http = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('regvault relay: connect with a WebSocket\n');
  });
  // Frames up to twice the limit are read and answered with error 1002; beyond that ws closes with 1009.
  // Any web page the user visits can open a WebSocket to a local relay; only the app's own
  // origin (and clients that are not browsers, which send no Origin) get through the handshake.
  const allowedOrigins = new Set(config.allowedOrigins);
  const wss = new WebSocketServer({
    server: http,
    maxPayload: config.maxFrameBytes * 2,
    verifyClient: ({ req }: { req: IncomingMessage }) => {
      const origin = req.headers.origin;
      return origin === undefined || allowedOrigins.has(origin);
    },
  });
  const alive = new WeakMap<WebSocket, boolean>();
  // Known once the port is bound; no connection is accepted before that.
  let publicUrl = '';
  const guard = createGuard(config.limits);
  wss.on('connection', (ws, request) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const address = request.socket.remoteAddress ?? 'unknown';
    if (!guard.addresses.take(address)) return refuse(ws, errorCodes.tooManyConnections, tooManyFromAddress, 1013);
    ws.on('close', () => guard.addresses.release(address));
    acceptConnection(ctx, ws, request.socket, config.maxFrameBytes, publicUrl, guard);
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) ws.terminate();
      else {
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, heartbeatMs);
  heartbeat.unref();
  await listen(http, config.port, config.host);
  const address = http.address() as AddressInfo;
  publicUrl = resolvePublicUrl(config, address.port);
  return {
    host: address.address,
    port: address.port,
    publicUrl,
    close: async () => {
      clearInterval(heartbeat);
      ctx.queue.flushNow();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      store.close();
    },
  };
}

function listen(http: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

/** The relay-wide side of the limits: connection counts per address and per device. */
type Guard = Readonly<{ limits: RelayLimits; addresses: ConnectionCounter; devices: ConnectionCounter }>;

function createGuard(limits: RelayLimits): Guard {
  return {
    limits,
    addresses: new ConnectionCounter(limits.maxConnectionsPerAddress),
    devices: new ConnectionCounter(limits.maxConnectionsPerDevice),
  };
}

const tooManyFromAddress = 'too many connections from this address; close some or ask the operator to raise the limit';

/** Answers with one error frame and closes (1008 policy, or 1013 try again later). */
function refuse(ws: WebSocket, code: ErrorCode, message: string, close = 1008): void {
  ws.send(encodeRelayFrame({ t: 'error', id: null, code, message }));
  ws.close(close, message.slice(0, 100));
}

function acceptConnection(
  ctx: RelayContext,
  ws: WebSocket,
  socket: Socket,
  maxFrameBytes: number,
  publicUrl: string,
  guard: Guard,
): void {
  const { limits } = guard;
  const challenge = randomBytes(32);
  const subscriptions = new Set<string>();
  let conn: Connection | null = null;
  // Frames sent during one turn (a commit group's acks and envelopes) leave in one write.
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const sendText = (text: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > maxBufferedBytes) return ws.terminate();
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    ws.send(text);
  };
  const sendFrame = (frame: RelayFrame) => sendText(encodeRelayFrame(frame));
  const sendError = (id: number | null, code: ErrorCode, message: string) =>
    sendFrame({ t: 'error', id, code, message });

  sendFrame({ t: 'hello', v: protocolVersion, challenge: encodeBase64(challenge), maxFrameBytes });
  ws.on('error', () => undefined); // oversized or invalid WebSocket frames: ws closes the socket itself
  // Until it proves a key, a connection holds a timer and a small frame limit, nothing more.
  const deadline = setTimeout(
    () => refuse(ws, errorCodes.authTimeout, `authenticate within ${limits.authDeadlineMs} ms`),
    limits.authDeadlineMs,
  );
  const allowFrame = createRateLimiter(limits.messagesPerSecond, () => performance.now());
  ws.on('close', () => {
    clearTimeout(deadline);
    if (!conn) return;
    ctx.vaults.unsubscribe(conn, subscriptions);
    guard.devices.release(conn.deviceKey);
  });
  const authenticate = (frame: ClientFrame) => {
    if (frame.t !== 'auth') return sendError(frame.id, errorCodes.notAuthenticated, 'authenticate first');
    const refused = checkAuthFrame(frame, challenge, publicUrl, ctx.verify);
    if (refused) {
      sendError(frame.id, refused.code, refused.message);
      return ws.close(1008, refused.close);
    }
    if (limits.allowedDevices !== null && !limits.allowedDevices.has(frame.device)) {
      sendError(frame.id, errorCodes.deviceNotAllowed, 'this relay accepts only the device keys its operator listed');
      return ws.close(1008, 'device not allowed');
    }
    if (!guard.devices.take(frame.device)) {
      sendError(frame.id, errorCodes.tooManyConnections, 'too many connections of this device');
      return ws.close(1013, 'too many connections of this device');
    }
    clearTimeout(deadline);
    const device = decodeBase64(frame.device);
    conn = { device, deviceKey: frame.device, subscriptions, sendText, sendFrame, sendError };
    sendFrame({ t: 'authed', id: frame.id });
  };
  // Frames are handled synchronously, in arrival order: answers leave in request order.
  ws.on('message', (data, isBinary) => {
    if (!allowFrame())
      return refuse(ws, errorCodes.rateLimited, `more than ${limits.messagesPerSecond} frames a second`);
    const parsed = parseClientFrame(data, isBinary, conn ? maxFrameBytes : limits.preAuthFrameBytes);
    if (!conn && 'error' in parsed && parsed.error === errorCodes.frameTooLarge) {
      return refuse(
        ws,
        errorCodes.frameTooLarge,
        `frames before authentication are limited to ${limits.preAuthFrameBytes} bytes`,
      );
    }
    if ('error' in parsed) return sendError(parsed.id, parsed.error, parsed.message);
    const frame = parsed.frame;
    if (!conn) return authenticate(frame);
    if (frame.t === 'auth') return sendError(frame.id, errorCodes.alreadyAuthenticated, 'already authenticated');
    try {
      handleRequest(ctx, conn, frame);
    } catch (error) {
      process.stderr.write(`relay: ${frame.t} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      sendError(frame.id, errorCodes.internal, 'the relay failed to handle the request; retry later');
    }
  });
}

type Parsed = { frame: ClientFrame } | { error: ErrorCode; id: number | null; message: string };

function parseClientFrame(data: RawData, isBinary: boolean, maxFrameBytes: number): Parsed {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (bytes.length > maxFrameBytes) {
    return { error: errorCodes.frameTooLarge, id: null, message: `frames are limited to ${maxFrameBytes} bytes` };
  }
  if (isBinary) return { error: errorCodes.malformedFrame, id: null, message: 'frames are JSON text' };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { error: errorCodes.malformedFrame, id: null, message: 'not JSON' };
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const rawId = typeof json === 'object' && json !== null && 'id' in json ? (json as { id: unknown }).id : null;
  const id = typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 0 && rawId <= 0x7fffffff ? rawId : null;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'invalid frame';
  return { error: errorCodes.malformedFrame, id, message: where.slice(0, 300) };
}
