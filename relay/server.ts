// The relay's WebSocket server: one challenge per connection, every frame size-capped and
// schema-checked, every failure answered with a numbered error while other connections carry on.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { errorCodes } from '../shared/sync/codes';
import { systemClock } from '../shared/sync/ports';
import { resolvePublicUrl, type RelayConfig } from './config';
import { acceptConnection, createGuard, refuse, type ConnectionRuntime, type RelaySocket } from './connection';
import { createRelayContext } from './context';
import { openRelayStore } from './sqlite-store';

/** A running relay; `publicUrl` is the address devices must have signed (see RelayConfig). */
export type RelayServer = Readonly<{ host: string; port: number; publicUrl: string; close: () => Promise<void> }>;

const heartbeatMs = 30_000;

/** Opens the store and starts listening; resolves once the port is bound. */
export async function startRelay(config: RelayConfig): Promise<RelayServer> {
  const store = openRelayStore(config.dataDir, config.durability);
  const ctx = createRelayContext(store, config.limits);
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
    const socket = socketOver(ws, request.socket);
    if (!guard.addresses.take(address)) return refuse(socket, errorCodes.tooManyConnections, tooManyFromAddress, 1013);
    ws.on('close', () => guard.addresses.release(address));
    const events = acceptConnection(ctx, socket, {
      maxFrameBytes: config.maxFrameBytes,
      publicUrl,
      guard,
      runtime: systemRuntime,
      onError: (request, error) =>
        process.stderr.write(`relay: ${request} failed: ${error instanceof Error ? error.message : String(error)}\n`),
    });
    ws.on('error', () => undefined); // oversized or invalid WebSocket frames: ws closes the socket itself
    ws.on('close', events.onClose);
    ws.on('message', (data, isBinary) => events.onMessage(bytesOf(data), isBinary));
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
      await ctx.queue.flushNow();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await store.close();
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
