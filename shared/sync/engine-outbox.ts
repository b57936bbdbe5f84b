// This device's outgoing side: the envelope counter, the sealed envelopes not yet delivered (by counter),
// the publishes in flight on the current connection, and the local updates not yet sealed. Only the
// methods below change them, so "pending", "in flight" and "delivered" cannot drift apart.
import type { WireEnvelope } from './wire-records';

/** Thrown when a counter would be reused or skipped: always an engine bug. */
export class IllegalCounter extends Error {}

/** The local updates and superseded counters taken together for one seal. */
export type SealBatch = Readonly<{ updates: Uint8Array[]; replaced: number[] }>;

/** The single owner of counter, pending envelopes, in-flight requests, unsealed updates and the sealing flag. */
export class Outbox {
  #counter = 0;
  /** Sealed envelopes not yet delivered, by counter (ascending). */
  readonly #pending = new Map<number, WireEnvelope>();
  /** Request id of each publish sent on the current connection → counter. */
  readonly #inFlight = new Map<number, number>();
  /** Local updates not yet sealed. */
  #unsealed: Uint8Array[] = [];
  /** Pending counters whose update is unsealed again; dropped when that update is sealed. */
  #superseded: number[] = [];
  /** Counters of envelopes sealed again after the relay claimed to hold them (each is sealed again only once). */
  readonly #resealed = new Set<number>();
  #sealing = false;

  /** This device's last used envelope counter. */
  get counter(): number {
    return this.#counter;
  }

  /** Whether a seal loop is running. */
  get sealing(): boolean {
    return this.#sealing;
  }

  /** Local changes not yet on the relay: pending envelopes, unsealed updates and the one being sealed. */
  get size(): number {
    return this.#pending.size + this.#unsealed.length + (this.#sealing ? 1 : 0);
  }

  /** Whether every local update is sealed (none queued, none being sealed). */
  get allSealed(): boolean {
    return this.#unsealed.length === 0 && !this.#sealing;
  }

  /** Restores the counter and the persisted queue. */
  restore(counter: number, pending: readonly WireEnvelope[]): void {
    const sorted = [...pending].sort((a, b) => a.counter - b.counter);
    this.#counter = Math.max(counter, ...sorted.map((env) => env.counter));
    for (const env of sorted) this.#pending.set(env.counter, env);
  }

  /** A local update to seal. */
  queueUpdate(update: Uint8Array): void {
    this.#unsealed.push(update);
  }

  /** Marks the seal loop running or done. */
  setSealing(sealing: boolean): void {
    this.#sealing = sealing;
  }

  /** Takes every unsealed update (and the counters they replace) for one seal; null when none is queued. */
  takeBatch(): SealBatch | null {
    if (this.#unsealed.length === 0) return null;
    return { updates: this.#unsealed.splice(0), replaced: this.#superseded.splice(0) };
  }

  /** A seal failed: its batch goes back to the front of the queue. */
  returnBatch(batch: SealBatch): void {
    this.#unsealed.unshift(...batch.updates);
    this.#superseded.unshift(...batch.replaced);
  }

  /** The counter the next envelope is sealed under. */
  nextCounter(): number {
    return this.#counter + 1;
  }

  /** An envelope was sealed under `counter` (which must be `nextCounter()`): the counter is used. */
  sealed(counter: number): void {
    if (counter !== this.#counter + 1) throw new IllegalCounter(`counter ${this.#counter} cannot move to ${counter}`);
    this.#counter = counter;
  }

  /** The sealed envelope is persisted: it is pending, and the envelopes it seals again leave the queue. */
  queued(wire: WireEnvelope, replaced: readonly number[]): void {
    for (const old of replaced) this.#pending.delete(old);
    if (replaced.length) this.#resealed.add(wire.counter);
    this.#pending.set(wire.counter, wire);
  }

  /** The pending envelopes of `epoch` not yet sent on the current connection, in counter order. */
  unsent(epoch: number): WireEnvelope[] {
    const inFlight = new Set(this.#inFlight.values());
    return [...this.#pending.values()].filter(
      (wire) => !inFlight.has(wire.counter) && wire.epoch === epoch && !this.#superseded.includes(wire.counter),
    );
  }

  /** Pending envelopes sealed under an epoch before `epoch`, not yet being sealed again. */
  stale(epoch: number): WireEnvelope[] {
    return [...this.#pending.values()].filter((wire) => wire.epoch < epoch && !this.#superseded.includes(wire.counter));
  }

  /**
   * Pending `counter` is to be sealed again under a newer epoch's key (the relay refuses older epochs after
   * a rotation; if it was stored just before, a catch-up serves it back and the copy applies idempotently): its
   * update is queued by the caller. False if it is not pending.
   */
  supersedeStale(counter: number): boolean {
    if (!this.#pending.has(counter) || this.#superseded.includes(counter)) return false;
    this.#superseded.push(counter);
    return true;
  }

  /** Envelopes that will never be sent (their change, sealed again, was refused here): they leave the queue. */
  drop(counters: readonly number[]): void {
    for (const counter of counters) this.#pending.delete(counter);
  }

  /** Every pending envelope, in counter order. */
  allPending(): WireEnvelope[] {
    return [...this.#pending.values()];
  }

  /** The pending envelope under `counter`, if any. */
  pendingEnvelope(counter: number): WireEnvelope | undefined {
    return this.#pending.get(counter);
  }

  /** Envelope `counter` was published as request `id`. */
  sent(id: number, counter: number): void {
    this.#inFlight.set(id, counter);
  }

  /** The oldest publish request still unanswered on this connection. */
  oldestInFlight(): number | undefined {
    return this.#inFlight.keys().next().value;
  }

  /** The relay answered request `id`: the counter it published (undefined when it was no publish). */
  answered(id: number): number | undefined {
    const counter = this.#inFlight.get(id);
    this.#inFlight.delete(id);
    return counter;
  }

  /** The relay stored envelope `counter` under a new sequence number: it is delivered. */
  acknowledged(counter: number): void {
    this.#resealed.delete(counter);
    this.#pending.delete(counter);
  }

  /** A catch-up served our envelope `counter` back; true when it was still pending (now delivered). */
  confirmedByCatchUp(counter: number): boolean {
    this.#counter = Math.max(this.#counter, counter);
    if (!this.#pending.delete(counter)) return false;
    this.#resealed.delete(counter);
    return true;
  }

  /** The connection dropped: nothing is in flight any more. */
  connectionLost(): void {
    this.#inFlight.clear();
  }

  /**
   * The relay claims to hold pending `counter` without serving it: 'ignore' (not pending, or already being
   * sealed again), 'refuse' (sealed again once already, or `canReseal` false), or 'reseal' (now superseded; its update is to be queued).
   */
  supersede(counter: number, canReseal: boolean): 'ignore' | 'refuse' | 'reseal' {
    if (!this.#pending.has(counter) || this.#superseded.includes(counter)) return 'ignore';
    if (!canReseal || this.#resealed.has(counter)) return 'refuse';
    this.#superseded.push(counter);
    return 'reseal';
  }
}
