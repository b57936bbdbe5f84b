// The small interfaces through which the sync engine reaches the outside world. The renderer passes
// the browser WebSocket and WebCrypto; Node (relay tests, benches) passes `ws` and node:crypto.

/** Ed25519 signing with this device's identity key; the secret stays inside (e.g. a non-extractable CryptoKey). */
export type DeviceSigner = Readonly<{
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** Returns the 64-byte Ed25519 signature of `message`. */
  sign: (message: Uint8Array) => Promise<Uint8Array>;
}>;

/** Ed25519 verification over a raw 32-byte public key (WebCrypto or node:crypto; tweetnacl's is ~80× slower). */
export type VerifySignature = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => Promise<boolean> | boolean;

/** Cryptographically secure random bytes (crypto.getRandomValues or node:crypto.randomBytes). */
export type { RandomBytes } from '../crypto/bytes';

/** Time source and timer, injected so tests control retries and timeouts. */
export type Clock = Readonly<{
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  schedule: (ms: number, callback: () => void) => () => void;
}>;

/** An X25519 key pair for nacl.box (vault keys are sealed to it when a device is linked). */
export type BoxKeyPair = Readonly<{ publicKey: Uint8Array; secretKey: Uint8Array }>;

/** Callbacks a socket adapter calls; text frames arrive as strings, binary frames as bytes. */
export type SocketHandlers = Readonly<{
  onOpen: () => void;
  onMessage: (data: string | Uint8Array) => void;
  onClose: (code: number, reason: string) => void;
}>;

/** The part of a WebSocket the engine uses. */
export type SocketLike = Readonly<{
  send: (data: string) => void;
  close: (code?: number, reason?: string) => void;
}>;

/** Opens a WebSocket to `url` and wires `handlers` (a ~10-line adapter over the browser WebSocket or `ws`). */
export type ConnectSocket = (url: string, handlers: SocketHandlers) => SocketLike;

type TimerGlobals = Readonly<{
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}>;

/** The real clock: Date.now and setTimeout (both runtimes have them; lib ES2022 does not declare them). */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (ms, callback) => {
    const timers = globalThis as unknown as TimerGlobals;
    const handle = timers.setTimeout(callback, ms);
    return () => timers.clearTimeout(handle);
  },
};
