// Group commit: envelopes accepted during one event-loop turn are stored in a single transaction, then
// acknowledged and fanned out. One fsync then covers many envelopes, and nothing is acknowledged or
// forwarded before it is committed (a sequence number, once seen by anyone, is never reused).
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

/** Creates the queue; `push` schedules a flush at the end of the current turn. */
export function createCommitQueue(store: RelayStore, vaults: VaultCache) {
  let batch: AcceptedEnvelope[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    const heads = new Map<string, number>();
    const rows: StoredEnvelope[] = [];
    for (const item of items) {
      const seq = (heads.get(item.vault.id) ?? item.vault.head) + 1;
      heads.set(item.vault.id, seq);
      rows.push({ ...item.row, seq });
    }
    try {
      store.appendEnvelopes(rows);
    } catch (error) {
      for (const item of items) item.onFailed(error);
      for (const id of heads.keys()) vaults.reload(id);
      return;
    }
    for (const [i, item] of items.entries()) {
      const seq = rows[i]?.seq ?? 0;
      item.vault.head = seq;
      item.onCommitted(seq, `{"t":"env","seq":${seq},"env":${JSON.stringify(item.wire)}}`);
    }
  }

  return {
    push: (item: AcceptedEnvelope) => {
      batch.push(item);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
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
