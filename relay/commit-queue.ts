// Group commit: envelopes accepted during one event-loop turn are stored in a single transaction, then
// acknowledged and fanned out. One fsync then covers many envelopes, and nothing is acknowledged or
// forwarded before it is committed (a sequence number, once seen by anyone, is never reused). Groups
// commit one after another: a later group never overtakes an earlier one (an author's counters must
// rise with the sequence numbers).
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { WireEnvelope } from '../shared/sync/wire-records';
import type { Fanout } from './fanout';
import type { AppendResult, NewEnvelope, RelayStore } from './store';
import { inFlightKey, type VaultCache, type VaultState } from './vaults';

/** An envelope that passed every check and waits for its commit. */
export type AcceptedEnvelope = Readonly<{
  vault: VaultState;
  wire: WireEnvelope;
  row: NewEnvelope;
  /** The publishing connection: it is acknowledged instead of being sent its own envelope. */
  origin: object | null;
  /** Called after the commit, in sequence order, once the envelope went out to the other subscribers. */
  onCommitted: (seq: number) => void;
  /** Called when it was not stored; `stale`: another relay node changed the vault's member log meanwhile. */
  onFailed: (error: unknown, stale: boolean) => void;
}>;

/** Runs a callback later; the relay passes `setImmediate`, a simulation its own scheduler. */
export type Defer = (callback: () => void) => void;

/** Observes each group commit (metrics): its size and how long it took, or that it failed. */
export type CommitObserver = (items: number, seconds: number, failed: boolean) => void;

/** Creates the queue; `push` schedules a flush at the end of the current turn (through `defer`). */
export function createCommitQueue(
  store: RelayStore,
  vaults: VaultCache,
  fanout: Fanout,
  defer: Defer = setImmediate,
  observe: CommitObserver = () => undefined,
) {
  let batch: AcceptedEnvelope[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();

  async function append(items: readonly AcceptedEnvelope[]): Promise<AppendResult> {
    const members = new Map(items.map((item) => [item.vault.id, item.vault.records.length]));
    const started = performance.now();
    try {
      const result = await store.appendEnvelopes(
        items.map((item) => item.row),
        members,
      );
      observe(items.length, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      observe(items.length, (performance.now() - started) / 1000, true);
      throw error;
    }
  }

  const keyOf = (item: AcceptedEnvelope) => inFlightKey(item.wire.author, item.wire.counter);

  function committed(items: readonly AcceptedEnvelope[], seqs: readonly number[]): void {
    for (const [i, item] of items.entries()) {
      const seq = seqs[i] ?? 0;
      item.vault.inFlight.delete(keyOf(item));
      const text = encodeRelayFrame({ t: 'env', seq, env: item.wire });
      fanout.committed(item.vault, seq, { text, origin: item.origin, after: () => item.onCommitted(seq) });
    }
  }

  function fail(item: AcceptedEnvelope, error: unknown, stale: boolean): void {
    item.vault.inFlight.delete(keyOf(item));
    item.onFailed(error, stale);
  }

  // Another node changed the member log of these vaults after their envelopes were checked: nothing
  // of theirs is stored; their state is re-read and their senders retry (checked against the new log).
  async function refuseStale(items: readonly AcceptedEnvelope[], stale: ReadonlySet<string>) {
    const hit = items.filter((item) => stale.has(item.vault.id));
    await Promise.all([...new Set(hit.map((item) => item.vault))].map((vault) => vaults.refresh(vault)));
    for (const item of hit) fail(item, new Error('member log changed'), true);
    return items.filter((item) => !stale.has(item.vault.id));
  }

  // One transaction for the whole group; if it fails, each envelope is committed alone, so a bad
  // row (whatever got past the checks) fails by itself and never takes other vaults' envelopes
  // with it. A failed one's vault is re-read afterwards: its cached counters had counted the envelope.
  async function commitGroup(group: readonly AcceptedEnvelope[]): Promise<void> {
    let items = group;
    try {
      const result = await append(items);
      if (result.ok) return committed(items, result.seqs);
      items = await refuseStale(items, new Set(result.stale));
      const retried = await append(items);
      if (retried.ok) return committed(items, retried.seqs);
    } catch {
      // committed one by one below
    }
    const failed = new Set<VaultState>();
    for (const item of items) {
      try {
        const result = await append([item]);
        if (result.ok) committed([item], result.seqs);
        else await refuseStale([item], new Set(result.stale));
      } catch (error) {
        fail(item, error, false);
        failed.add(item.vault);
      }
    }
    await Promise.all([...failed].map((vault) => vaults.refresh(vault)));
  }

  function flush(): void {
    scheduled = false;
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    for (const item of items) item.vault.inFlight.add(keyOf(item));
    running = running
      .then(() => commitGroup(items))
      .catch((error: unknown) => {
        process.stderr.write(`relay: commit failed: ${String(error)}\n`);
      });
  }

  return {
    push: (item: AcceptedEnvelope) => {
      batch.push(item);
      if (!scheduled) {
        scheduled = true;
        defer(flush);
      }
    },
    /** Commits whatever is queued now and waits for every group in flight (on shutdown, in tests). */
    flushNow: async (): Promise<void> => {
      if (batch.length) flush();
      await running;
    },
    /** Envelopes accepted and not yet committed. */
    queued: () => batch.length,
  };
}

/** The commit queue. */
export type CommitQueue = ReturnType<typeof createCommitQueue>;
