// In-memory state of the vaults this relay has touched: committed head, member state, last accepted
// counter per author and live subscribers. Loaded from the store on first use; the store stays the
// truth (the process holds the database exclusively, so the cache cannot go stale behind its back).
import { replayMemberLog, type MemberState } from '../shared/sync/members';
import type { WireMemberRecord } from '../shared/sync/wire-records';
import type { RelayStore } from './store';

/** A connection as far as vault fan-out is concerned. */
export type Subscriber = Readonly<{ deviceKey: string; sendText: (text: string) => void }>;

/** Cached state of one vault. */
export type VaultState = {
  readonly id: string;
  /** Highest committed sequence number. */
  head: number;
  members: MemberState;
  records: WireMemberRecord[];
  /** Last counter accepted per author (base64), including envelopes still waiting for their commit. */
  counters: Map<string, number>;
  snapshotSeq: number;
  readonly subscribers: Set<Subscriber>;
};

/** Replays a stored member log (its signatures were checked when it was stored), in linear time. */
export function replayMembers(vault: string, records: readonly WireMemberRecord[]): MemberState {
  const state = replayMemberLog(vault, records);
  if (typeof state === 'string') throw new Error(`stored member log of ${vault} is inconsistent: ${state}`);
  return state;
}

/**
 * Creates the vault cache over a store, holding at most `maxCached` vaults: beyond that the least
 * recently used vault without subscribers is dropped (it reloads from the store on its next use).
 */
export function createVaultCache(store: RelayStore, maxCached = 10_000) {
  // Map order is use order: a hit moves the vault to the end.
  const vaults = new Map<string, VaultState>();

  function touch(state: VaultState): VaultState {
    vaults.delete(state.id);
    vaults.set(state.id, state);
    return state;
  }

  // Makes room for one more vault; the one about to be added is never the one dropped.
  function makeRoom(): void {
    for (const [id, state] of vaults) {
      if (vaults.size < maxCached) return;
      if (state.subscribers.size === 0) vaults.delete(id);
    }
  }

  function load(id: string): VaultState | undefined {
    const head = store.headOf(id);
    if (head === undefined) return undefined;
    const records = store.memberRecords(id);
    const counters = new Map<string, number>();
    for (const row of store.authorCounters(id)) counters.set(row.author.toString('base64'), row.counter);
    const state: VaultState = {
      id,
      head,
      members: replayMembers(id, records),
      records,
      counters,
      snapshotSeq: store.snapshotOf(id)?.seq ?? 0,
      subscribers: new Set(),
    };
    makeRoom();
    vaults.set(id, state);
    return state;
  }

  return {
    /** The vault's state, loading it on first use; undefined when the vault is not registered. */
    get: (id: string): VaultState | undefined => {
      const cached = vaults.get(id);
      return cached ? touch(cached) : load(id);
    },
    /** How many vaults are held in memory. */
    size: () => vaults.size,
    /** Forgets a vault's cached state after a failed commit, so it is reloaded from the store. */
    reload: (id: string): VaultState | undefined => {
      const old = vaults.get(id);
      vaults.delete(id);
      const fresh = load(id);
      if (fresh && old) for (const subscriber of old.subscribers) fresh.subscribers.add(subscriber);
      return fresh;
    },
    /** Removes a closed connection from every vault it subscribed to. */
    unsubscribe: (subscriber: Subscriber, ids: Iterable<string>) => {
      for (const id of ids) vaults.get(id)?.subscribers.delete(subscriber);
    },
  };
}

/** The vault cache. */
export type VaultCache = ReturnType<typeof createVaultCache>;
