// In-memory state of the vaults this relay has touched: the head fanned out so far, member state,
// last accepted counter per author and live subscribers. Loaded from the store on first use; the
// store stays the truth. With SQLite this process holds the database exclusively; with PostgreSQL
// other relay nodes change it too, and relay/remote-changes.ts brings the cache up to date.
import { replayMemberLog, type MemberState } from '../shared/sync/members';
import type { WireMemberRecord } from '../shared/sync/wire-records';
import type { RelayStore, StoredVault } from './store';

/** A connection's subscription to one vault, as far as fan-out is concerned. */
export type Subscriber = Readonly<{
  /** The connection it belongs to (the publisher of an envelope is not sent its own envelope). */
  owner: object;
  deviceKey: string;
  /** Sends a frame; `seq` is set for envelope frames. */
  sendText: (text: string, seq?: number) => void;
  /** Closes the connection (its client reconnects and catches up). */
  close: (code: number, reason: string) => void;
}>;

/** A committed envelope waiting for its turn in the fan-out (relay/fanout.ts). */
export type PendingFanout = Readonly<{ text: string; origin: object | null; after?: () => void }>;

/** Cached state of one vault. */
export type VaultState = {
  readonly id: string;
  /** Highest sequence number fanned out here; every envelope up to it is committed. */
  head: number;
  members: MemberState;
  records: WireMemberRecord[];
  /** Last counter accepted per author (base64), including envelopes still waiting for their commit. */
  counters: Map<string, number>;
  snapshotSeq: number;
  readonly subscribers: Set<Subscriber>;
  /** Committed envelopes not yet fanned out (a gap before them is being read from the store). */
  readonly pending: Map<number, PendingFanout>;
  /** The highest committed sequence number this node has heard of (from its commits or other nodes). */
  known: number;
  /**
   * This node's envelopes whose commit has not answered yet (`author:counter`): a catch-up that reads
   * one of them from the table stops there, so it goes out as its sender's ack, in its place.
   */
  readonly inFlight: Set<string>;
};

/** The `inFlight` key of an envelope. */
export const inFlightKey = (author: string, counter: number) => `${author}:${counter}`;

/** Replays a stored member log (its signatures were checked when it was stored), in linear time. */
export function replayMembers(vault: string, records: readonly WireMemberRecord[]): MemberState {
  const state = replayMemberLog(vault, records);
  if (typeof state === 'string') throw new Error(`stored member log of ${vault} is inconsistent: ${state}`);
  return state;
}

function countersOf(rows: StoredVault['counters']): Map<string, number> {
  const counters = new Map<string, number>();
  for (const row of rows) counters.set(row.author.toString('base64'), row.counter);
  return counters;
}

/**
 * Creates the vault cache over a store, holding at most `maxCached` vaults: beyond that the least
 * recently used vault without subscribers is dropped (it reloads from the store on its next use).
 */
export function createVaultCache(store: RelayStore, maxCached = 10_000) {
  // Map order is use order: a hit moves the vault to the end.
  const vaults = new Map<string, VaultState>();
  // One load per vault at a time: two connections asking at once get the same state object.
  const loading = new Map<string, Promise<VaultState | undefined>>();

  function touch(state: VaultState): VaultState {
    vaults.delete(state.id);
    vaults.set(state.id, state);
    return state;
  }

  // Makes room for one more vault; the one about to be added is never the one dropped.
  function makeRoom(): void {
    for (const [id, state] of vaults) {
      if (vaults.size < maxCached) return;
      if (state.subscribers.size === 0 && state.pending.size === 0 && state.inFlight.size === 0) vaults.delete(id);
    }
  }

  async function load(id: string): Promise<VaultState | undefined> {
    const stored = await store.loadVault(id);
    if (!stored) return undefined;
    const state: VaultState = {
      id,
      head: stored.head,
      known: stored.head,
      members: replayMembers(id, stored.records),
      records: stored.records,
      counters: countersOf(stored.counters),
      snapshotSeq: stored.snapshotSeq,
      subscribers: new Set(),
      pending: new Map(),
      inFlight: new Set(),
    };
    makeRoom();
    vaults.set(id, state);
    return state;
  }

  return {
    /** The vault's state, loading it on first use; undefined when the vault is not registered. */
    get: (id: string): VaultState | undefined | Promise<VaultState | undefined> => {
      const cached = vaults.get(id);
      if (cached) return touch(cached);
      const inFlight = loading.get(id);
      if (inFlight) return inFlight;
      const loaded = load(id).finally(() => loading.delete(id));
      loading.set(id, loaded);
      return loaded;
    },
    /** The cached state of a vault, without loading it. */
    peek: (id: string): VaultState | undefined => vaults.get(id),
    /** Every cached vault. */
    cached: (): IterableIterator<VaultState> => vaults.values(),
    /** How many vaults are held in memory. */
    size: () => vaults.size,
    /**
     * Re-reads a vault's members and counters from the store, in place (subscribers and the fan-out
     * position stay), after a failed commit.
     */
    refresh: async (state: VaultState): Promise<void> => {
      const stored = await store.loadVault(state.id);
      if (!stored) return;
      state.records = stored.records;
      state.members = replayMembers(state.id, stored.records);
      // Never lowered: a counter accepted here and still queued must keep refusing a lower one.
      for (const [author, counter] of countersOf(stored.counters))
        if ((state.counters.get(author) ?? 0) < counter) state.counters.set(author, counter);
      state.snapshotSeq = Math.max(state.snapshotSeq, stored.snapshotSeq);
      state.known = Math.max(state.known, stored.head);
    },
    /** Removes a closed connection's subscriptions from every vault it subscribed to. */
    unsubscribe: (owner: object, ids: Iterable<string>) => {
      for (const id of ids) {
        const subscribers = vaults.get(id)?.subscribers;
        for (const subscriber of subscribers ?? []) if (subscriber.owner === owner) subscribers?.delete(subscriber);
      }
    },
  };
}

/** The vault cache. */
export type VaultCache = ReturnType<typeof createVaultCache>;
