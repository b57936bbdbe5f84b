// What every request handler shares: the relay's state and one authenticated connection.
import type { ErrorCode } from '../shared/sync/codes';
import type { RelayFrame } from '../shared/sync/wire-frames';
import type { CommitQueue } from './commit-queue';
import type { ByteQuota, Quotas } from './quotas';
import type { RelayStore } from './store';
import type { Subscriber, VaultCache } from './vaults';

/** What the handlers share. */
export type RelayContext = Readonly<{
  store: RelayStore;
  vaults: VaultCache;
  queue: CommitQueue;
  verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
  now: () => number;
  quotas: Quotas;
  bytes: ByteQuota;
}>;

/** An authenticated connection. */
export type Connection = Subscriber &
  Readonly<{
    device: Uint8Array;
    deviceKey: string;
    subscriptions: Set<string>;
    sendFrame: (frame: RelayFrame) => void;
    sendError: (id: number | null, code: ErrorCode, message: string) => void;
  }>;

/** Bytes as a Buffer over the same memory (what SQLite binds as a BLOB). */
export const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
