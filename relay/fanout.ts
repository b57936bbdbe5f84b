// Fan-out in sequence order. Every subscriber of a vault must see its envelopes contiguously, in
// order, with nothing skipped. One relay process commits contiguously, so its commits go out at once;
// with several relay nodes on one database, a commit here can follow sequence numbers another node
// assigned: those are read from the store (catch-up from the table) before anything after them goes
// out. A lost notification from another node therefore delays envelopes; it never loses one.
import { encodeEnvelope } from '../shared/sync/envelope';
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { RelayStore, StoredEnvelope } from './store';
import type { PendingFanout, VaultState } from './vaults';

/** Called when a vault's log was pruned past this node's position: its subscribers must resubscribe. */
export type OnGap = (vault: VaultState) => void;

/** Creates the fan-out over `store`. */
export function createFanout(store: RelayStore, onGap: OnGap) {
  const filling = new Set<VaultState>();

  function emit(vault: VaultState, seq: number, item: PendingFanout): void {
    // Other devices first: the edit becomes visible there a write() sooner.
    for (const subscriber of vault.subscribers)
      if (subscriber.owner !== item.origin) subscriber.sendText(item.text, seq);
    vault.head = seq;
    vault.known = Math.max(vault.known, seq);
    item.after?.();
  }

  function drain(vault: VaultState): void {
    for (let next = vault.pending.get(vault.head + 1); next; next = vault.pending.get(vault.head + 1)) {
      vault.pending.delete(vault.head + 1);
      emit(vault, vault.head + 1, next);
    }
    if (vault.known > vault.head && !filling.has(vault)) void fill(vault);
  }

  function adopt(vault: VaultState, row: StoredEnvelope): void {
    const author = Buffer.from(row.author).toString('base64');
    if ((vault.counters.get(author) ?? 0) < row.counter) vault.counters.set(author, row.counter);
    const text = encodeRelayFrame({ t: 'env', seq: row.seq, env: encodeEnvelope(row) });
    emit(vault, row.seq, { text, origin: null });
  }

  // Reads what other nodes committed between this node's head and the next envelope it knows of.
  async function fill(vault: VaultState): Promise<void> {
    filling.add(vault);
    try {
      while (vault.known > vault.head) {
        const upTo = vault.pending.size ? Math.min(...vault.pending.keys()) - 1 : vault.known;
        const rows = upTo > vault.head ? await store.envelopesAfter(vault.id, vault.head, upTo) : [];
        if (rows[0] !== undefined && rows[0].seq !== vault.head + 1) return skipPruned(vault, rows[0].seq - 1);
        if (rows.length === 0 && upTo > vault.head) {
          // Not visible yet, or pruned behind a snapshot: in both cases the head moves on only via the snapshot.
          if (vault.snapshotSeq > vault.head) return skipPruned(vault, Math.min(vault.snapshotSeq, upTo));
          return;
        }
        for (const row of rows) {
          const own = vault.pending.get(row.seq);
          vault.pending.delete(row.seq);
          if (own) emit(vault, row.seq, own);
          else adopt(vault, row);
        }
        drain(vault);
      }
    } catch (error) {
      process.stderr.write(`relay: fan-out catch-up of a vault failed: ${String(error)}\n`);
    } finally {
      filling.delete(vault);
    }
  }

  // The envelopes up to `seq` were pruned behind a snapshot another node stored: subscribers resubscribe.
  function skipPruned(vault: VaultState, seq: number): void {
    vault.head = Math.max(vault.head, seq);
    for (const [pendingSeq, item] of vault.pending) {
      if (pendingSeq > vault.head) continue;
      vault.pending.delete(pendingSeq);
      item.after?.();
    }
    onGap(vault);
    drain(vault);
  }

  return {
    /** Fans out an envelope committed here; `after` (the ack) runs once it went out, in order. */
    committed: (vault: VaultState, seq: number, item: PendingFanout): void => {
      vault.known = Math.max(vault.known, seq);
      if (seq <= vault.head) return item.after?.();
      vault.pending.set(seq, item);
      drain(vault);
    },
    /** Another node committed up to `head`: reads and fans out what this node has not sent yet. */
    heard: (vault: VaultState, head: number): void => {
      // Also when nothing new is heard: a catch-up that stopped early (an error, rows not visible yet) resumes.
      vault.known = Math.max(vault.known, head);
      drain(vault);
    },
  };
}

/** The fan-out. */
export type Fanout = ReturnType<typeof createFanout>;
