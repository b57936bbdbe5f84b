// What every request handler shares: the relay's state and one authenticated connection.
import type { ErrorCode } from '../shared/sync/codes';
import type { RelayFrame } from '../shared/sync/wire-frames';
import { createCommitQueue, type CommitQueue, type Defer } from './commit-queue';
import { createEd25519Verifier } from './ed25519';
import type { RelayLimits } from './limits';
import { createByteQuota, type ByteQuota, type Quotas } from './quotas';
import type { RelayStore, StoredSnapshot } from './store';
import type { Snapshot } from '../shared/sync/snapshot';
import { createVaultCache, type Subscriber, type VaultCache } from './vaults';

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

/** Builds the handlers' context over an open store: wall clock `now`, commits deferred through `defer`. */
export function createRelayContext(
  store: RelayStore,
  limits: RelayLimits,
  now: () => number = Date.now,
  defer?: Defer,
): RelayContext {
  const vaults = createVaultCache(store, limits.maxCachedVaults);
  return {
    store,
    vaults,
    queue: createCommitQueue(store, vaults, defer),
    verify: createEd25519Verifier(),
    now,
    quotas: limits.quotas,
    bytes: createByteQuota(store, limits.quotas.bytesPerDevice),
  };
}

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

/** A decoded snapshot as the store keeps it (binary fields as Buffers). */
export function snapshotRow(snap: Snapshot): StoredSnapshot {
  return {
    ...snap,
    author: asBuffer(snap.author),
    nonce: asBuffer(snap.nonce),
    ciphertext: asBuffer(snap.ciphertext),
    sig: asBuffer(snap.sig),
  };
}
