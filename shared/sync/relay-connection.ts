// One authenticated connection to a relay: the challenge handshake, schema-checked frames in order,
// and request/response correlation by id. The engine opens one per connection attempt; the link
// operations open one for a single exchange.
import { signAuthFrame } from './auth';
import { decodeBase64 } from '../crypto/bytes';
import { errorCodes, SyncProtocolError, type ErrorCode } from './codes';
import type { Clock, ConnectSocket, DeviceSigner, SocketLike } from './ports';
import { checkRelayUrl } from './relay-url';
import { protocolVersion } from './wire-records';
import { encodeClientFrame, relayFrameSchema, type RelayFrame, type RequestFrame } from './wire-frames';

/** A request frame without its id (the session assigns it). */
export type RequestBody = RequestFrame extends infer F ? (F extends RequestFrame ? Omit<F, 'id'> : never) : never;

/** What `openRelayConnection` needs. */
export type RelayConnectionOptions = Readonly<{
  url: string;
  connect: ConnectSocket;
  signer: DeviceSigner;
  clock: Clock;
  /** Handshake and request timeout in ms (default 15 s). */
  timeoutMs?: number;
  /** Every frame after the handshake, in arrival order (responses included). */
  onFrame?: (frame: RelayFrame) => void;
  /** The connection ended (by either side, or a protocol error). Called once. */
  onClose?: (code: ErrorCode, message: string) => void;
}>;

/** An authenticated connection to a relay. */
export type RelayConnection = Readonly<{
  /** The relay's frame size limit, from its hello. */
  maxFrameBytes: number;
  /** Sends a request and resolves with the relay's answer; rejects with `SyncProtocolError` on an error frame. */
  request: (body: RequestBody) => Promise<RelayFrame>;
  /** Sends a request without waiting; returns the id its answer will carry. */
  send: (body: RequestBody) => number;
  /** Closes the connection. */
  close: () => void;
}>;

type Waiter = Readonly<{ resolve: (frame: RelayFrame) => void; reject: (error: Error) => void; cancel: () => void }>;

/**
 * Connects, answers the relay's challenge with the device key (bound to the relay's address), and
 * resolves once authenticated. An address that is not ws(s)://, or plain ws:// to another machine,
 * is refused (4014) before anything is sent.
 */
export function openRelayConnection(options: RelayConnectionOptions): Promise<RelayConnection> {
  const relayUrl = checkRelayUrl(options.url);
  if (!relayUrl.ok) return Promise.reject(new SyncProtocolError(errorCodes.relayUrlRefused, relayUrl.error.message));
  const canonical = { ...options, url: relayUrl.value };
  return new Promise((resolve, reject) => new SessionConnection(canonical, resolve, reject).open());
}

/** The state of one connection: handshake first, then request correlation. */
class SessionConnection implements RelayConnection {
  maxFrameBytes = 0;
  private readonly waiters = new Map<number, Waiter>();
  private readonly timeoutMs: number;
  private nextId = 1;
  private closed = false;
  private authed = false;
  private socket: SocketLike | null = null;
  private cancelHandshake: () => void = () => undefined;

  constructor(
    private readonly options: RelayConnectionOptions,
    private readonly resolveOpen: (session: RelayConnection) => void,
    private readonly rejectOpen: (error: Error) => void,
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  open(): void {
    this.cancelHandshake = this.options.clock.schedule(this.timeoutMs, () =>
      this.fail(errorCodes.requestTimeout, 'relay did not complete the handshake in time'),
    );
    this.socket = this.options.connect(this.options.url, {
      onOpen: () => undefined,
      onClose: (code, reason) =>
        this.fail(errorCodes.connectionClosed, `connection closed (${code}${reason ? `: ${reason}` : ''})`),
      onMessage: (data) => {
        if (this.closed) return;
        const frame = parseRelayFrame(data);
        if (!frame) return this.fail(errorCodes.protocolViolation, 'relay sent a malformed frame');
        if (this.authed) this.onFrame(frame);
        else this.onHandshakeFrame(frame);
      },
    });
  }

  send = (body: RequestBody): number => {
    if (this.closed || !this.socket) throw new SyncProtocolError(errorCodes.connectionClosed, 'connection is closed');
    const id = this.nextId++;
    const frame: RequestFrame = { ...body, id };
    this.socket.send(encodeClientFrame(frame));
    return id;
  };

  request = (body: RequestBody): Promise<RelayFrame> =>
    new Promise<RelayFrame>((resolve, reject) => {
      const id = this.send(body);
      const cancel = this.options.clock.schedule(this.timeoutMs, () => {
        this.waiters.delete(id);
        reject(new SyncProtocolError(errorCodes.requestTimeout, `relay did not answer ${body.t} in time`));
      });
      this.waiters.set(id, { resolve, reject, cancel });
    });

  close = (): void => this.fail(errorCodes.connectionClosed, 'closed by client');

  private fail(code: ErrorCode, message: string): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelHandshake();
    this.socket?.close(1000, 'closing');
    const error = new SyncProtocolError(code, message);
    for (const waiter of this.waiters.values()) {
      waiter.cancel();
      waiter.reject(error);
    }
    this.waiters.clear();
    if (!this.authed) this.rejectOpen(error);
    this.options.onClose?.(code, message);
  }

  private onHandshakeFrame(frame: RelayFrame): void {
    if (frame.t === 'hello' && this.maxFrameBytes === 0) {
      if (frame.v !== protocolVersion) return this.fail(errorCodes.unsupportedVersion, describeVersions(frame.v));
      this.maxFrameBytes = frame.maxFrameBytes;
      this.answerChallenge(frame.challenge).catch((error: unknown) => this.fail(errorCodes.authFailed, String(error)));
    } else if (frame.t === 'authed' && this.maxFrameBytes > 0) {
      this.authed = true;
      this.cancelHandshake();
      this.resolveOpen(this);
    } else if (frame.t === 'error') {
      this.fail(frame.code as ErrorCode, frame.message);
    } else this.fail(errorCodes.protocolViolation, `unexpected ${frame.t} frame during handshake`);
  }

  private async answerChallenge(challenge: string): Promise<void> {
    const auth = await signAuthFrame(this.options.signer, decodeBase64(challenge), this.options.url);
    if (this.closed || !this.socket) return;
    this.socket.send(encodeClientFrame(auth));
  }

  private onFrame(frame: RelayFrame): void {
    if ('id' in frame && frame.id !== null) {
      const waiter = this.waiters.get(frame.id);
      if (waiter) {
        this.waiters.delete(frame.id);
        waiter.cancel();
        if (frame.t === 'error') waiter.reject(new SyncProtocolError(frame.code as ErrorCode, frame.message));
        else waiter.resolve(frame);
      }
    }
    this.options.onFrame?.(frame);
  }
}

/** Which side must be updated when the relay's hello carries another protocol version. */
function describeVersions(relay: number): string {
  return relay < protocolVersion
    ? `the relay speaks protocol v${relay}, older than this app's v${protocolVersion}: its operator must update Regvault on the relay`
    : `the relay speaks protocol v${relay}, newer than this app's v${protocolVersion}: update Regvault`;
}

/** Parses and schema-checks a relay frame; null when it is not one. */
export function parseRelayFrame(data: string | Uint8Array): RelayFrame | null {
  if (typeof data !== 'string') return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = relayFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
