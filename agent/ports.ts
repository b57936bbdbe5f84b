// The Node implementations of the engine's ports: `ws` sockets and node:crypto randomness.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { ConnectSocket, RandomBytes } from '../shared/sync/ports';

/** Secure random bytes. */
export const nodeRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length));

/** The `ConnectSocket` adapter over a `ws` WebSocket class (tests pass the one Node resolves for them). */
export const connectWith =
  (Socket: typeof WebSocket): ConnectSocket =>
  (url, handlers) => {
    const ws = new Socket(url, { maxPayload: 64 * 1024 * 1024 });
    ws.on('open', handlers.onOpen);
    ws.on('message', (data: Buffer, isBinary) =>
      handlers.onMessage(isBinary ? new Uint8Array(data) : data.toString('utf8')),
    );
    ws.on('close', (code, reason) => handlers.onClose(code, reason.toString()));
    ws.on('error', () => undefined);
    return { send: (data) => ws.send(data), close: (code, reason) => ws.close(code, reason) };
  };

/** The `ConnectSocket` adapter over `ws`. */
export const connectSocket: ConnectSocket = connectWith(WebSocket);
