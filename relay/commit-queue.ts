// Group commit: envelopes accepted during one event-loop turn are stored in a single transaction, then
// acknowledged and fanned out. One fsync then covers many envelopes, and nothing is acknowledged or
// forwarded before it is committed (a sequence number, once seen by anyone, is never reused). Groups
// commit one after another: a later group never overtakes an earlier one (an author's counters must
// rise with the sequence numbers).
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { ErrorCode } from '../shared/sync/codes';
import type { WireEnvelope } from '../shared/sync/wire-records';
import type { Fanout } from './fanout';
import type { AppendResult, NewEnvelope, RelayStore } from './store';
import { inFlightKey, type VaultCache, type VaultState } from './vaults';

type AppendRefusal = Extract<AppendResult, { ok: false }>;

/** Attempts of a group whose member log another node keeps changing, before its senders are told to retry. */
const maxAttempts = 4;

/** Why an accepted envelope was not stored. */
export type CommitFailure = Readonly<
  { kind: 'refused'; code: ErrorCode; message: string } | { kind: 'replayed' } | { kind: 'error'; error: unknown }
>;

/** An envelope that passed every check and waits for its commit. */
export type AcceptedEnvelope = Readonly<{
  vault: VaultState;
  wire: WireEnvelope;
  row: NewEnvelope;
  /** The publishing connection: it is acknowledged instead of being sent its own envelope. */
  origin: object | null;
  /** Checks it again against the vault's member log (another node changed it): null if still allowed. */
  recheck: () => Readonly<{ code: ErrorCode; message: string }> | null;
  /** Called after the commit, in sequence order, once the envelope went out to the other subscribers. */
  onCommitted: (seq: number) => void;
  /**
   * Called when it was not stored: `refused` by the check against a member log another node changed,
   * `replayed` (the store holds this counter of its author or a higher one: another node stored it), or an `error`.
   */
  onFailed: (failure: CommitFailure) => void;
}>;

/** Brings a vault's member log up to date from the store (another node changed it); subscribers hear of it. */
export type CatchUpMembers = (vault: VaultState) => Promise<void>;

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
  catchUpMembers: CatchUpMembers = (vault) => vaults.refresh(vault),
) {
  let batch: AcceptedEnvelope[] = [];
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();

  // The member-log length each envelope was last checked against: a commit compares it with the stored
  // one, so an envelope checked before this node caught up with another node's records is checked again.
  const checkedAt = new WeakMap<AcceptedEnvelope, number>();

  async function append(items: readonly AcceptedEnvelope[]): Promise<AppendResult> {
    const members = new Map<string, number>();
    for (const item of items) {
      const at = checkedAt.get(item) ?? 0;
      members.set(item.vault.id, Math.min(members.get(item.vault.id) ?? at, at));
    }
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

  function fail(item: AcceptedEnvelope, failure: CommitFailure): void {
    item.vault.inFlight.delete(keyOf(item));
    item.onFailed(failure);
    // A catch-up read that stopped at this (author, counter), stored by another node, resumes.
    fanout.resume(item.vault);
  }

  // The store refused the group and stored nothing: envelopes whose counter another node stored leave
  // it; where another node changed the member log, the log is re-read and each envelope checked again.
  // The rest is retried at once, in the group's order, so an author's counters keep rising with the
  // sequence numbers. After `maxAttempts` (or a refusal naming nothing) they fail: their senders retry.
  async function settle(items: readonly AcceptedEnvelope[], result: AppendRefusal, lastAttempt: boolean) {
    const replayed = new Set(result.replayed.map((i) => items[i]));
    const stale = new Set(result.stale);
    const hopeless = lastAttempt || (replayed.size === 0 && stale.size === 0);
    const staleVaults = [...new Set(items.map((item) => item.vault))].filter((vault) => stale.has(vault.id));
    if (!hopeless) await Promise.all(staleVaults.map(catchUpMembers));
    return items.filter((item) => {
      if (replayed.has(item)) return void fail(item, { kind: 'replayed' });
      if (hopeless) return void fail(item, { kind: 'error', error: new Error('the vault keeps changing') });
      if (!stale.has(item.vault.id)) return true;
      const refused = item.recheck();
      if (refused) return void fail(item, { kind: 'refused', ...refused });
      checkedAt.set(item, item.vault.records.length);
      return true;
    });
  }

  // One transaction for the whole group. If it throws, each envelope is committed alone, so a bad row
  // (whatever got past the checks) fails by itself and never takes other vaults' envelopes with it;
  // a failed one's vault is re-read afterwards.
  async function commitGroup(group: readonly AcceptedEnvelope[], alone = false): Promise<void> {
    let items = group;
    for (let attempt = 1; items.length > 0; attempt++) {
      let result: AppendResult;
      try {
        result = await append(items);
      } catch (error) {
        if (!alone) for (const item of items) await commitGroup([item], true);
        else await failAlone(items, error);
        return;
      }
      if (result.ok) return committed(items, result.seqs);
      items = await settle(items, result, attempt >= maxAttempts);
    }
  }

  async function failAlone(items: readonly AcceptedEnvelope[], error: unknown): Promise<void> {
    for (const item of items) fail(item, { kind: 'error', error });
    await Promise.all([...new Set(items.map((item) => item.vault))].map((vault) => vaults.refresh(vault)));
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
    /** Queues an envelope just checked against its vault's cached member log. */
    push: (item: AcceptedEnvelope) => {
      checkedAt.set(item, item.vault.records.length);
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
