// What must hold between any two steps of a simulation, whatever the interleaving: the relay's log is
// contiguous; each replica's head and counter never go back and never pass the relay; its pending count
// is exactly its persisted queue; no replica stops on a fatal error; and no edit is lost — every
// counter a device used is still queued on it, stored on the relay, or accepted by the relay with its
// commit still to run (an envelope sealed again after a "already stored" answer leaves the queue then).
import type { RelayContext } from '../../../relay/context';
import type { SqliteStore } from '../../../relay/sqlite-store';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import type { SimReplica } from './sim-devices';

/** What the checks remember between steps: each replica's last head and counter. */
export type InvariantState = Map<SimReplica, { head: number; counter: number }>;

/** Creates the state the checks carry from step to step. */
export function createInvariantState(): InvariantState {
  return new Map();
}

type RelayLog = Readonly<{
  byAuthor: Map<string, Set<number>>;
  covered: Map<string, number>;
  /** Per author, the highest counter accepted but not yet committed (0: none waits). */
  accepted: (author: string) => number;
}>;

/** Reads the relay's log of `vault`; returns a problem, or the counters it holds per author. */
function readRelayLog(
  store: SqliteStore,
  ctx: RelayContext,
  vault: string,
  commitsPending: boolean,
): RelayLog | string {
  const head = store.headOf(vault) ?? 0;
  const snapshotSeq = store.snapshotOf(vault)?.seq ?? 0;
  const byAuthor = new Map<string, Set<number>>();
  let expected = snapshotSeq + 1;
  for (const row of store.envelopesAfter(vault, 0)) {
    if (row.seq !== expected) return `relay log not contiguous: sequence ${row.seq} where ${expected} was due`;
    expected++;
    const author = encodeBase64(row.author);
    const counters = byAuthor.get(author) ?? new Set<number>();
    byAuthor.set(author, counters);
    counters.add(row.counter);
  }
  if (expected - 1 !== head && !(expected === snapshotSeq + 1 && head === snapshotSeq))
    return `relay log ends at ${expected - 1}, its head is ${head}`;
  // Envelopes behind a snapshot are pruned: an author's counters up to the highest the relay recorded
  // and below its oldest remaining envelope count as stored.
  const covered = new Map<string, number>();
  if (snapshotSeq > 0) {
    for (const { author, counter } of store.authorCounters(vault)) {
      const key = author.toString('base64');
      const remaining = [...(byAuthor.get(key) ?? [])];
      covered.set(key, remaining.length ? Math.min(...remaining) - 1 : counter);
    }
  }
  const accepted = (author: string) => (commitsPending ? (ctx.vaults.peek(vault)?.counters.get(author) ?? 0) : 0);
  return { byAuthor, covered, accepted };
}

/** Checks every invariant; returns the first one broken, or null. */
export function checkWorld(
  state: InvariantState,
  relay: Readonly<{ store: SqliteStore; ctx: RelayContext; commitsPending: boolean }>,
  vault: string,
  replicas: readonly SimReplica[],
): string | null {
  const log = readRelayLog(relay.store, relay.ctx, vault, relay.commitsPending);
  if (typeof log === 'string') return log;
  const relayHead = relay.store.headOf(vault) ?? 0;
  for (const replica of replicas) {
    const problem = checkReplica(state, replica, relayHead, log);
    if (problem) return `${replica.device.id}: ${problem}`;
  }
  return null;
}

function checkReplica(state: InvariantState, replica: SimReplica, relayHead: number, log: RelayLog): string | null {
  const engine = replica.engine();
  const status = engine.status();
  if (typeof status === 'object' && 'error' in status && status.fatal)
    return `fatal sync error ${status.error.code}: ${status.error.message}`;
  const { cursor, pending } = replica.storage.peek();
  const head = engine.head();
  const counter = cursor?.counter ?? 0;
  const last = state.get(replica) ?? { head: 0, counter: 0 };
  if (head < last.head) return `head went back from ${last.head} to ${head}`;
  if (head > relayHead) return `head ${head} is beyond the relay's ${relayHead}`;
  if (counter < last.counter) return `counter went back from ${last.counter} to ${counter}`;
  state.set(replica, { head, counter });
  if (engine.pendingCount() !== pending.length)
    return `${engine.pendingCount()} pending, but ${pending.length} envelopes persisted in the queue`;
  const me = encodeBase64(replica.device.publicKey);
  const queued = new Set(pending.map((env) => env.counter));
  const stored = log.byAuthor.get(me) ?? new Set<number>();
  const covered = log.covered.get(me) ?? 0;
  const accepted = log.accepted(me);
  for (let c = covered + 1; c <= counter; c++) {
    if (!queued.has(c) && !stored.has(c) && c > accepted) return `change ${c} is neither queued nor on the relay`;
  }
  return null;
}
