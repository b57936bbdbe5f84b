// What the engine persists per vault, through an injected store (IndexedDB in the renderer, memory in
// tests): its position on the relay, its counters, the verified member log and the sealed envelopes
// not yet acknowledged, and the vault keys of epochs after the one the host gave it (a host must seal the
// cursor at rest, as the app does; the memory store of tests keeps it in the clear).
import type { WireEnvelope, WireMemberRecord } from './wire-records';

/** The engine's position and bookkeeping for one vault. */
export type SyncCursor = Readonly<{
  /** Highest relay sequence number verified and applied (the rollback floor). */
  head: number;
  /** This device's last used envelope counter. */
  counter: number;
  /** Sequence number of the newest snapshot known on the relay. */
  snapshotSeq: number;
  /** Last counter accepted per author (base64 public key), for replay rejection. */
  authors: Readonly<Record<string, number>>;
  /** The verified member log. */
  members: readonly WireMemberRecord[];
  /** Yjs state vector of everything already sealed into pending envelopes or received (crash recovery). */
  vector: Uint8Array | null;
  /** Vault keys of later epochs, base64 by epoch, fetched from this device's grants (protocol v4). */
  keys?: Readonly<Record<string, string>>;
  /** This device's refused changes: per client id, the clock from which its items stay local (rebase.ts). */
  localOnly?: Readonly<Record<string, number>>;
}>;

/**
 * The cursor of a reset sync state: back to the start of the relay's log and to the genesis record, with the
 * replay floors and the state vector forgotten (so the whole document is sealed and sent again). This
 * device's own counter stays: it never reuses one. The caller keeps or drops the queue.
 */
export function resetSyncCursor(cursor: SyncCursor): SyncCursor {
  return { ...cursor, head: 0, snapshotSeq: 0, authors: {}, vector: null, members: cursor.members.slice(0, 1) };
}

/**
 * The log replica's state (judge.ts) at a head: stored with the cursor of that head, so a restarted engine
 * judges against exactly the log again (sealed at rest by the host, like the cursor).
 */
export type ReplicaCheckpoint = Readonly<{ head: number; state: Uint8Array }>;

/** What `SyncStorage.load` returns. */
export type StoredSyncState = Readonly<{
  cursor: SyncCursor | null;
  pending: readonly WireEnvelope[];
  replica?: ReplicaCheckpoint | null;
}>;

/** One atomic change: the new cursor, envelopes to append to the queue, counters of envelopes to drop. */
export type SyncStorageChange = Readonly<{
  cursor?: SyncCursor;
  append?: readonly WireEnvelope[];
  remove?: readonly number[];
  replica?: ReplicaCheckpoint;
}>;

/** The store the engine writes through; `commit` must apply a change atomically (one IndexedDB transaction). */
export type SyncStorage = Readonly<{
  load: () => Promise<StoredSyncState>;
  commit: (change: SyncStorageChange) => Promise<void>;
}>;

/** An in-memory `SyncStorage` (tests, benches, and a reference for the IndexedDB one). */
export function createMemorySyncStorage(
  initial?: StoredSyncState,
): SyncStorage & Readonly<{ peek: () => StoredSyncState }> {
  let cursor = initial?.cursor ?? null;
  let pending = [...(initial?.pending ?? [])];
  let replica = initial?.replica ?? null;
  return {
    load: () => Promise.resolve({ cursor, pending: [...pending], ...(replica ? { replica } : {}) }),
    commit: (change) => {
      if (change.cursor) cursor = change.cursor;
      if (change.replica) replica = change.replica;
      if (change.append) pending.push(...change.append);
      if (change.remove) {
        const gone = new Set(change.remove);
        pending = pending.filter((env) => !gone.has(env.counter));
      }
      return Promise.resolve();
    },
    peek: () => ({ cursor, pending: [...pending], ...(replica ? { replica } : {}) }),
  };
}

/** Serializes commits and folds the changes queued behind one in flight into a single commit. */
export type StorageWriter = Readonly<{
  commit: (change: SyncStorageChange) => Promise<void>;
  idle: () => Promise<void>;
}>;

/** Wraps a `SyncStorage` so that at most one commit runs at a time and queued changes are merged. */
export function createStorageWriter(storage: SyncStorage, onError: (error: unknown) => void): StorageWriter {
  let queued: { cursor?: SyncCursor; replica?: ReplicaCheckpoint; append: WireEnvelope[]; remove: Set<number> } | null =
    null;
  let waiters: (() => void)[] = [];
  let running: Promise<void> | null = null;

  async function run(): Promise<void> {
    while (queued) {
      const change = queued;
      const done = waiters;
      queued = null;
      waiters = [];
      const append = change.append.filter((env) => !change.remove.has(env.counter));
      try {
        await storage.commit({
          ...(change.cursor ? { cursor: change.cursor } : {}),
          ...(change.replica ? { replica: change.replica } : {}),
          ...(append.length ? { append } : {}),
          ...(change.remove.size ? { remove: [...change.remove] } : {}),
        });
      } catch (error) {
        onError(error);
      }
      for (const resolve of done) resolve();
    }
    running = null;
  }

  return {
    commit: (change) =>
      new Promise<void>((resolve) => {
        queued ??= { append: [], remove: new Set() };
        if (change.cursor) queued.cursor = change.cursor;
        if (change.replica) queued.replica = change.replica;
        if (change.append) queued.append.push(...change.append);
        for (const counter of change.remove ?? []) queued.remove.add(counter);
        waiters.push(resolve);
        running ??= run();
      }),
    idle: () => running ?? Promise.resolve(),
  };
}
