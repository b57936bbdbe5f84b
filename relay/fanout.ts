// Fan-out in sequence order. Every subscriber of a vault must see its envelopes contiguously, in
// order, with nothing skipped. One relay process commits contiguously, so its commits go out at once;
// with several relay nodes on one database, a commit here can follow sequence numbers another node
// assigned: those are read from the store (catch-up from the table) before anything after them goes
// out. A lost notification from another node therefore delays envelopes; it never loses one.
import { encodeBase64 } from '../shared/crypto/bytes';
import { encodeEnvelope } from '../shared/sync/envelope';
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { RelayStore, StoredEnvelope } from './store';
import { inFlightKey, type PendingFanout, type VaultState } from './vaults';

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
    const author = encodeBase64(row.author);
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
        if (!sendRows(vault, rows)) return;
        drain(vault);
      }
    } catch (error) {
      process.stderr.write(`relay: fan-out catch-up of a vault failed: ${String(error)}\n`);
    } finally {
      filling.delete(vault);
    }
  }

  // Sends rows read from the store after the head; false when the catch-up must stop for now.
  function sendRows(vault: VaultState, rows: readonly StoredEnvelope[]): boolean {
    // Rows at or below the head went out while the read ran (this node's own commits answered meanwhile).
    const fresh = rows.filter((row) => row.seq > vault.head);
    const [first] = fresh;
    if (first === undefined) {
      if (rows.length > 0) return true;
      // Nothing there: not visible yet, or pruned behind a snapshot another node stored.
      if (vault.snapshotSeq > vault.head) skipPruned(vault, Math.min(vault.snapshotSeq, vault.known));
      return false;
    }
    if (first.seq !== vault.head + 1) {
      skipPruned(vault, first.seq - 1);
      return false;
    }
    for (const row of fresh) {
      if (row.seq !== vault.head + 1) return true;
      const own = vault.pending.get(row.seq);
      // This node's own commit, not answered yet: it goes out with its ack (committed() resumes from there).
      if (!own && vault.inFlight.has(inFlightKey(encodeBase64(row.author), row.counter))) return false;
      vault.pending.delete(row.seq);
      if (own) emit(vault, row.seq, own);
      else adopt(vault, row);
    }
    return true;
  }

  // The envelopes up to `seq` were pruned behind a snapshot another node stored: subscribers resubscribe.
  function skipPruned(vault: VaultState, seq: number): void {
    vault.head = Math.max(vault.head, seq);
    // Subscribers are sent away first: an ack of this node's own commit behind the pruned envelopes
    // would reach a client that never saw them (a gap, 4002, fatal); unanswered, the client resends,
    // hears "already stored" and finds its envelope in the catch-up, as after any lost ack.
    onGap(vault);
    for (const [pendingSeq, item] of vault.pending) {
      if (pendingSeq > vault.head) continue;
      vault.pending.delete(pendingSeq);
      item.after?.();
    }
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
    /** Resumes a catch-up that stopped at an envelope this node was committing too (its commit failed). */
    resume: (vault: VaultState): void => drain(vault),
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
