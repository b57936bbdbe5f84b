// One client connection of the relay, independent of the transport: the challenge, the auth deadline,
// the frame limits and rate, then every request in arrival order. server.ts runs it over `ws`; an
// in-process simulation (tests/support/sim) runs the same code over an in-memory socket.
import type { AuthFrame } from '../shared/sync/auth';
import { decodeBase64, encodeBase64 } from '../shared/crypto/bytes';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import type { Clock } from '../shared/sync/ports';
import { clientFrameSchema, encodeRelayFrame, type ClientFrame, type RelayFrame } from '../shared/sync/wire-frames';
import { protocolVersion } from '../shared/sync/wire-records';
import { checkAuthFrame } from './auth';
import { asBuffer } from './context';
import { handleRequest, type Connection, type RelayContext } from './handlers';
import { ConnectionCounter, createRateLimiter, type RelayLimits } from './limits';

/** A subscriber that reads slower than this much queued output is dropped (it resumes by catch-up). */
const maxBufferedBytes = 64 * 1024 * 1024;

/** The part of a server-side WebSocket a connection uses. */
export type RelaySocket = Readonly<{
  send: (text: string) => void;
  close: (code: number, reason: string) => void;
  /** Drops the connection without a closing handshake. */
  terminate: () => void;
  isOpen: () => boolean;
  /** Bytes sent but not yet written to the network. */
  bufferedAmount: () => number;
}>;

/** What the transport calls: each received frame, and the end of the connection (once). */
export type ConnectionEvents = Readonly<{
  onMessage: (bytes: Uint8Array, isBinary: boolean) => void;
  onClose: () => void;
}>;

/** Time and randomness of a connection: the system's in the server, a seeded simulation's in tests. */
export type ConnectionRuntime = Readonly<{
  /** The auth deadline timer. */
  schedule: Clock['schedule'];
  /** Monotonic milliseconds, for the frame rate limit. */
  elapsed: () => number;
  /** Random bytes for the challenge. */
  random: (length: number) => Uint8Array;
}>;

/** The relay-wide side of the limits: connection counts per address and per device. */
export type Guard = Readonly<{ limits: RelayLimits; addresses: ConnectionCounter; devices: ConnectionCounter }>;

/** Creates the relay-wide connection counters for `limits`. */
export function createGuard(limits: RelayLimits): Guard {
  return {
    limits,
    addresses: new ConnectionCounter(limits.maxConnectionsPerAddress),
    devices: new ConnectionCounter(limits.maxConnectionsPerDevice),
  };
}

/** Answers with one error frame and closes (1008 policy, or 1013 try again later). */
export function refuse(socket: RelaySocket, code: ErrorCode, message: string, close = 1008): void {
  socket.send(encodeRelayFrame({ t: 'error', id: null, code, message }));
  socket.close(close, message.slice(0, 100));
}

/** What a connection needs besides the handler context. */
export type ConnectionSettings = Readonly<{
  maxFrameBytes: number;
  publicUrl: string;
  guard: Guard;
  runtime: ConnectionRuntime;
  /** Reports a request that failed inside the relay (logged; the client gets 5001). */
  onError?: (request: string, error: unknown) => void;
  /** Observes every error frame sent (metrics). */
  onErrorSent?: (code: ErrorCode) => void;
}>;

/** Greets a new connection with its challenge and returns the handlers its transport calls. */
export function acceptConnection(
  ctx: RelayContext,
  socket: RelaySocket,
  settings: ConnectionSettings,
): ConnectionEvents {
  const { guard, runtime, maxFrameBytes } = settings;
  const { limits } = guard;
  const challenge = runtime.random(32);
  const subscriptions = new Set<string>();
  let conn: Connection | null = null;
  const sender = senderOver(socket, settings.onErrorSent);
  const { sendFrame, sendError } = sender;

  sendFrame({ t: 'hello', v: protocolVersion, challenge: encodeBase64(challenge), maxFrameBytes });
  // Until it proves a key, a connection holds a timer and a small frame limit, nothing more.
  const cancelDeadline = runtime.schedule(limits.authDeadlineMs, () =>
    refuse(socket, errorCodes.authTimeout, `authenticate within ${limits.authDeadlineMs} ms`),
  );
  const allowFrame = createRateLimiter(limits.messagesPerSecond, runtime.elapsed);
  const authenticate = (frame: ClientFrame) => {
    if (frame.t !== 'auth') return sendError(frame.id, errorCodes.notAuthenticated, 'authenticate first');
    if (!admit(ctx, socket, settings, challenge, frame, sendError)) return;
    cancelDeadline();
    conn = {
      device: decodeBase64(frame.device),
      deviceKey: frame.device,
      subscriptions,
      ...sender,
      close: (code, reason) => socket.close(code, reason),
    };
    sendFrame({ t: 'authed', id: frame.id });
  };
  // Frames are handled one at a time, in arrival order: answers leave in request order. A request
  // that waits for the store holds back the ones behind it (their order matters: counters).
  let closed = false;
  const handle = async (bytes: Uint8Array, isBinary: boolean) => {
    if (closed) return;
    const parsed = parseClientFrame(bytes, isBinary, conn ? maxFrameBytes : limits.preAuthFrameBytes);
    if (!conn && 'error' in parsed && parsed.error === errorCodes.frameTooLarge) {
      return refuse(
        socket,
        errorCodes.frameTooLarge,
        `frames before authentication are limited to ${limits.preAuthFrameBytes} bytes`,
      );
    }
    if ('error' in parsed) return sendError(parsed.id, parsed.error, parsed.message);
    const frame = parsed.frame;
    if (!conn) return authenticate(frame);
    if (frame.t === 'auth') return sendError(frame.id, errorCodes.alreadyAuthenticated, 'already authenticated');
    try {
      await handleRequest(ctx, conn, frame);
    } catch (error) {
      settings.onError?.(frame.t, error);
      sendError(frame.id, errorCodes.internal, 'the relay failed to handle the request; retry later');
    }
  };
  let turn: Promise<void> = Promise.resolve();
  const onMessage = (bytes: Uint8Array, isBinary: boolean) => {
    if (!allowFrame())
      return refuse(socket, errorCodes.rateLimited, `more than ${limits.messagesPerSecond} frames a second`);
    turn = turn.then(() => handle(bytes, isBinary));
  };
  const onClose = () => {
    cancelDeadline();
    closed = true;
    if (!conn) return;
    const gone = conn;
    ctx.vaults.unsubscribe(gone, subscriptions);
    guard.devices.release(gone.deviceKey);
    // A request still running may subscribe after this: undone once it ends.
    turn = turn.then(() => ctx.vaults.unsubscribe(gone, subscriptions));
  };
  return { onMessage, onClose };
}

type Sender = Pick<Connection, 'sendText' | 'sendFrame' | 'sendError'>;

function senderOver(socket: RelaySocket, onErrorSent: (code: ErrorCode) => void = () => undefined): Sender {
  const sendText = (text: string) => {
    if (!socket.isOpen()) return;
    if (socket.bufferedAmount() > maxBufferedBytes) return socket.terminate();
    socket.send(text);
  };
  const sendFrame = (frame: RelayFrame) => sendText(encodeRelayFrame(frame));
  const sendError = (id: number | null, code: ErrorCode, message: string) => {
    onErrorSent(code);
    sendFrame({ t: 'error', id, code, message });
  };
  return { sendText, sendFrame, sendError };
}

/** Whether the device of an `auth` frame is let in; if not, the answer says why and the socket closes. */
function admit(
  ctx: RelayContext,
  socket: RelaySocket,
  { publicUrl, guard }: ConnectionSettings,
  challenge: Uint8Array,
  frame: AuthFrame,
  sendError: Sender['sendError'],
): boolean {
  const refused = checkAuthFrame(frame, challenge, publicUrl, ctx.verify);
  if (refused) {
    sendError(frame.id, refused.code, refused.message);
    socket.close(1008, refused.close);
    return false;
  }
  const { allowedDevices } = guard.limits;
  if (allowedDevices !== null && !allowedDevices.has(frame.device)) {
    sendError(frame.id, errorCodes.deviceNotAllowed, 'this relay accepts only the device keys its operator listed');
    socket.close(1008, 'device not allowed');
    return false;
  }
  if (!guard.devices.take(frame.device)) {
    sendError(frame.id, errorCodes.tooManyConnections, 'too many connections of this device');
    socket.close(1013, 'too many connections of this device');
    return false;
  }
  return true;
}

type Parsed = { frame: ClientFrame } | { error: ErrorCode; id: number | null; message: string };

function parseClientFrame(bytes: Uint8Array, isBinary: boolean, maxFrameBytes: number): Parsed {
  if (bytes.length > maxFrameBytes) {
    return { error: errorCodes.frameTooLarge, id: null, message: `frames are limited to ${maxFrameBytes} bytes` };
  }
  if (isBinary) return { error: errorCodes.malformedFrame, id: null, message: 'frames are JSON text' };
  let json: unknown;
  try {
    json = JSON.parse(asBuffer(bytes).toString('utf8'));
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
