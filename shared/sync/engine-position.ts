// Where the engine stands in the vault's relay log: the verified head, the newest snapshot known, each
// author's last applied counter and the recovery state vector. Only the methods below change them, and
// the head only ever moves to head+1 (an envelope) or forward to a snapshot: anything else is a bug.
import type { SyncCursor } from './storage';

/** Thrown when the head would move other than forward by one (or to a later snapshot): always an engine bug. */
export class IllegalHeadMove extends Error {}

/** The single owner of head, snapshotSeq, authors' counters and the recovery vector. */
export class Position {
  #head = 0;
  #snapshotSeq = 0;
  #authors = new Map<string, number>();
  #vector: Uint8Array | null = null;

  /** Highest relay sequence number verified and applied. */
  get head(): number {
    return this.#head;
  }

  /** Sequence number of the newest snapshot known on the relay. */
  get snapshotSeq(): number {
    return this.#snapshotSeq;
  }

  /** The doc's state vector when nothing unsealed was in it (null: none recorded yet). */
  get vector(): Uint8Array | null {
    return this.#vector;
  }

  /** The last applied counter of `author` (0 when none). */
  counterOf(author: string): number {
    return this.#authors.get(author) ?? 0;
  }

  /** Every author's last applied counter. */
  counters(): Record<string, number> {
    return Object.fromEntries(this.#authors);
  }

  /** Restores the position from a stored cursor (a fresh engine starts at 0). */
  restore(cursor: SyncCursor | null): void {
    this.#head = cursor?.head ?? 0;
    this.#snapshotSeq = cursor?.snapshotSeq ?? 0;
    this.#authors = new Map(Object.entries(cursor?.authors ?? {}));
    this.#vector = cursor?.vector ?? null;
  }

  /** Envelope `seq` by `author` at `counter` was applied (or acknowledged); refuses any seq but head+1. */
  applied(seq: number, author: string, counter: number): void {
    if (seq !== this.#head + 1) throw new IllegalHeadMove(`head ${this.#head} cannot move to ${seq}`);
    this.#head = seq;
    this.raiseFloor(author, counter);
  }

  /** A snapshot covering `seq` was applied: the head jumps forward to it (never back or in place). */
  jumpToSnapshot(seq: number): void {
    if (seq <= this.#head) throw new IllegalHeadMove(`a snapshot at ${seq} cannot move head ${this.#head}`);
    this.#head = seq;
    this.snapshotStored(seq);
  }

  /** The relay stored a snapshot covering `seq`. */
  snapshotStored(seq: number): void {
    this.#snapshotSeq = Math.max(this.#snapshotSeq, seq);
  }

  /** Raises `author`'s replay floor to `counter` (never lowers it). */
  raiseFloor(author: string, counter: number): void {
    this.#authors.set(author, Math.max(this.counterOf(author), counter));
  }

  /** Records the doc's state vector once everything in it is received or sealed. */
  recordVector(vector: Uint8Array): void {
    this.#vector = vector;
  }
}
