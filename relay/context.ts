// What every request handler shares: the relay's state and one authenticated connection.
import type { ErrorCode } from '../shared/sync/codes';
import type { RelayFrame } from '../shared/sync/wire-frames';
import {
  createCommitQueue,
  type CatchUpMembers,
  type CommitObserver,
  type CommitQueue,
  type Defer,
} from './commit-queue';
import { createCatchUpLedger, type CatchUpLedger } from './catch-up-ledger';
import { createEd25519Verifier } from './ed25519';
import { createFanout, type Fanout, type OnGap } from './fanout';
import type { RelayLimits } from './limits';
import { createByteQuota, type ByteQuota, type Quotas } from './quotas';
import type { RelayStore, StoredSnapshot } from './store';
import type { Snapshot } from '../shared/sync/snapshot';
import { createVaultCache, type Subscriber, type VaultCache } from './vaults';

/** What the handlers share. */
export type RelayContext = Readonly<{
  store: RelayStore;
  vaults: VaultCache;
  fanout: Fanout;
  queue: CommitQueue;
  verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
  now: () => number;
  quotas: Quotas;
  bytes: ByteQuota;
  /** What each member already received, and its re-reads from before that (relay/catch-up-ledger.ts). */
  catchUps: CatchUpLedger;
}>;

/**
 * Optional hooks of a relay context: the commit deferral, commit metrics, and how a vault's member log
 * catches up with the store when a commit finds another node changed it (relay/remote-changes.ts).
 */
export type ContextHooks = Readonly<{ defer?: Defer; observeCommit?: CommitObserver; catchUpMembers?: CatchUpMembers }>;

/** Builds the handlers' context over an open store: wall clock `now`, commits deferred through `defer`. */
export function createRelayContext(
  store: RelayStore,
  limits: RelayLimits,
  now: () => number = Date.now,
  hooks: ContextHooks = {},
): RelayContext {
  const vaults = createVaultCache(store, limits.maxCachedVaults);
  const fanout = createFanout(store, resubscribeAll);
  return {
    store,
    vaults,
    fanout,
    queue: createCommitQueue(store, vaults, fanout, hooks.defer, hooks.observeCommit, hooks.catchUpMembers),
    verify: createEd25519Verifier(),
    now,
    quotas: limits.quotas,
    bytes: createByteQuota(store, limits.quotas.bytesPerDevice),
    catchUps: createCatchUpLedger(limits.fullCatchUpsPerHour, now),
  };
}

/** Another node pruned envelopes this node had not sent yet: its subscribers reconnect and catch up from the snapshot. */
const resubscribeAll: OnGap = (vault) => {
  for (const subscriber of vault.subscribers) subscriber.close(1012, 'catch up again');
  vault.subscribers.clear();
};

/** An authenticated connection. */
export type Connection = Readonly<{
  device: Uint8Array;
  deviceKey: string;
  subscriptions: Set<string>;
  sendText: Subscriber['sendText'];
  sendFrame: (frame: RelayFrame) => void;
  sendError: (id: number | null, code: ErrorCode, message: string) => void;
  /** Closes the connection (the client reconnects and catches up). */
  close: (code: number, reason: string) => void;
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
