// Group commit: envelopes accepted during one event-loop turn are stored in a single transaction, then
// acknowledged and fanned out. One fsync then covers many envelopes, and nothing is acknowledged or
// forwarded before it is committed (a sequence number, once seen by anyone, is never reused).
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { WireEnvelope } from '../shared/sync/wire-records';
import type { RelayStore, StoredEnvelope } from './store';
import type { VaultCache, VaultState } from './vaults';

/** An envelope that passed every check and waits for its commit. */
export type AcceptedEnvelope = Readonly<{
  vault: VaultState;
  wire: WireEnvelope;
  row: Omit<StoredEnvelope, 'seq'>;
  /** Called after the commit with the assigned sequence number and the fan-out frame text. */
  onCommitted: (seq: number, envFrame: string) => void;
  onFailed: (error: unknown) => void;
}>;

/** Runs a callback later; the relay passes `setImmediate`, a simulation its own scheduler. */
export type Defer = (callback: () => void) => void;

/** Creates the queue; `push` schedules a flush at the end of the current turn (through `defer`). */
export function createCommitQueue(store: RelayStore, vaults: VaultCache, defer: Defer = setImmediate) {
  let batch: AcceptedEnvelope[] = [];
  let scheduled = false;

  /** Assigns each item the next sequence number of its vault, in order. */
  function number(items: readonly AcceptedEnvelope[]): StoredEnvelope[] {
    const heads = new Map<string, number>();
    return items.map((item) => {
      const seq = (heads.get(item.vault.id) ?? item.vault.head) + 1;
      heads.set(item.vault.id, seq);
      return { ...item.row, seq };
    });
  }

  function committed(items: readonly AcceptedEnvelope[], rows: readonly StoredEnvelope[]): void {
    for (const [i, item] of items.entries()) {
      const seq = rows[i]?.seq ?? 0;
      item.vault.head = seq;
      item.onCommitted(seq, encodeRelayFrame({ t: 'env', seq, env: item.wire }));
    }
  }

  // One transaction for the whole group; if it fails, each envelope is committed alone, so a bad
  // row (whatever got past the checks) fails by itself and never takes other vaults' envelopes
  // with it. A failed one's vault is reloaded afterwards: its cached counters had counted the envelope.
  function flush(): void {
    scheduled = false;
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    const rows = number(items);
    try {
      store.appendEnvelopes(rows);
      return committed(items, rows);
    } catch {
      const failed = new Set<string>();
      for (const item of items) {
        const rows = number([item]);
        try {
          store.appendEnvelopes(rows);
          committed([item], rows);
        } catch (error) {
          item.onFailed(error);
          failed.add(item.vault.id);
        }
      }
      for (const id of failed) vaults.reload(id);
    }
  }

  return {
    push: (item: AcceptedEnvelope) => {
      batch.push(item);
      if (!scheduled) {
        scheduled = true;
        defer(flush);
      }
    },
    /** Commits whatever is queued now (on shutdown). */
    flushNow: () => {
      if (batch.length) flush();
    },
  };
}

/** The commit queue. */
export type CommitQueue = ReturnType<typeof createCommitQueue>;
