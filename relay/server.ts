// The relay's WebSocket server: one challenge per connection, every frame size-capped and
// schema-checked, every failure answered with a numbered error while other connections carry on.
// Plain HTTP also answers GET /healthz (ready only when the database answers); GET /metrics is served
// only on its own listener (`--metrics-listen`).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { errorCodes } from '../shared/sync/codes';
import { systemClock } from '../shared/sync/ports';
import { resolvePublicUrl, type RelayConfig } from './config';
import { acceptConnection, createGuard, refuse, type ConnectionRuntime, type RelaySocket } from './connection';
import { createRelayContext } from './context';
import { errorMessage, logEvent } from './log';
import { createRelayMetrics } from './metrics';
import { listenForMetrics } from './metrics-listener';
import { openConfiguredStore } from './open-store';
import { catchUpMembers, followRemoteChanges } from './remote-changes';
import type { RelayStore } from './store';

/** A running relay; `publicUrl` is the address devices must have signed (see RelayConfig). */
export type RelayServer = Readonly<{
  host: string;
  port: number;
  publicUrl: string;
  /** The port GET /metrics is served on (`--metrics-listen`); null when it is not served. */
  metricsPort: number | null;
  close: () => Promise<void>;
}>;

const heartbeatMs = 30_000;
/** How often a node re-reads the positions of its cached vaults (covers a lost notification). */
const resyncMs = 2_000;
/** How long a graceful shutdown waits for clients to close before cutting them off. */
const drainMs = 5_000;

/** Opens the store and starts listening; resolves once the port is bound. */
export async function startRelay(config: RelayConfig): Promise<RelayServer> {
  const store = await openConfiguredStore(config);
  let wss: WebSocketServer | null = null;
  const metrics = createRelayMetrics(store, () => wss?.clients.size ?? 0);
  const ctx = createRelayContext(store, config.limits, Date.now, {
    observeCommit: metrics.observeCommit,
    catchUpMembers: (vault) => catchUpMembers(store, vault),
  });
  const logError = (error: unknown) => logEvent('remote-change-failed', { error: errorMessage(error) }, 'error');
  const stopFollowing = store.kind === 'postgres' ? followRemoteChanges(ctx, resyncMs, logError) : () => undefined;
  const handle = (request: IncomingMessage, response: ServerResponse) => void answerHttp(store, request, response);
  const http = config.tls
    ? createTlsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, handle)
    : createServer(handle);
  // Frames up to twice the limit are read and answered with error 1002; beyond that ws closes with 1009.
  // Any web page the user visits can open a WebSocket to a local relay; only the app's own
  // origin (and clients that are not browsers, which send no Origin) get through the handshake.
  const allowedOrigins = new Set(config.allowedOrigins);
  wss = new WebSocketServer({
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
    const socket = socketOver(ws, request.socket);
    if (!guard.addresses.take(address)) return refuse(socket, errorCodes.tooManyConnections, tooManyFromAddress, 1013);
    ws.on('close', () => guard.addresses.release(address));
    const events = acceptConnection(ctx, socket, {
      maxFrameBytes: config.maxFrameBytes,
      publicUrl,
      guard,
      runtime: systemRuntime,
      onError: (request, error) => logEvent('request-failed', { request, error: errorMessage(error) }, 'error'),
      onErrorSent: metrics.countError,
    });
    ws.on('error', () => undefined); // oversized or invalid WebSocket frames: ws closes the socket itself
    ws.on('close', events.onClose);
    ws.on('message', (data, isBinary) => events.onMessage(bytesOf(data), isBinary));
  });
  const server = wss;
  const heartbeat = setInterval(() => {
    for (const ws of server.clients) {
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
  const metricsListener = config.metricsListen && (await listenForMetrics(metrics, config.metricsListen));
  return {
    host: address.address,
    port: address.port,
    publicUrl,
    metricsPort: metricsListener ? metricsListener.port : null,
    close: async () => {
      clearInterval(heartbeat);
      stopFollowing();
      await metricsListener?.close();
      await drain(server, http, () => ctx.queue.flushNow());
      await store.close();
    },
  };
}

/**
 * Graceful shutdown: no new connections; requests already received finish (their commits are
 * flushed and acknowledged); then every client is closed with 1001 (going away) and reconnects —
 * to another node, with several — and whoever has not closed after `drainMs` is cut off.
 */
async function drain(wss: WebSocketServer, http: Server, flush: () => Promise<void>): Promise<void> {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
  await flush();
  const clients = [...wss.clients];
  const gone = Promise.all(clients.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))));
  for (const ws of clients) ws.close(1001, 'relay shutting down');
  const timer = setTimeout(() => {
    for (const ws of wss.clients) ws.terminate();
  }, drainMs);
  await gone;
  clearTimeout(timer);
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await closed;
}

async function answerHttp(store: RelayStore, request: IncomingMessage, response: ServerResponse) {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/healthz') {
    const ready = await store.ping().then(
      () => true,
      () => false,
    );
    const body = JSON.stringify({ ready, database: store.kind });
    return void response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(body);
  }
  response.writeHead(426, { 'content-type': 'text/plain' }).end('regvault relay: connect with a WebSocket\n');
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

const tooManyFromAddress = 'too many connections from this address; close some or ask the operator to raise the limit';

/** The system's timers, monotonic clock and secure random bytes. */
const systemRuntime: ConnectionRuntime = {
  schedule: systemClock.schedule,
  elapsed: () => performance.now(),
  random: (length) => randomBytes(length),
};

/** The relay's view of one `ws` connection; `tcp` is its socket, corked per turn. */
function socketOver(ws: WebSocket, tcp: Socket): RelaySocket {
  // Frames sent during one turn (a commit group's acks and envelopes) leave in one write.
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  return {
    send: (text) => {
      if (!corked) {
        corked = true;
        tcp.cork();
        process.nextTick(uncork);
      }
      ws.send(text);
    },
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    isOpen: () => ws.readyState === WebSocket.OPEN,
    bufferedAmount: () => ws.bufferedAmount,
  };
}

function bytesOf(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
