// The content judge's seam (protocol v5, docs/protocol.md §6): every envelope's change is judged against a
// **log replica** — a second Yjs document holding exactly what the relay's log holds, in log order (every
// accepted envelope and snapshot, nothing local) — so every peer judges it against the same state,
// whatever it edited locally meanwhile. The author's own unsequenced changes are kept beside it
// (`pending`) for judging its next change before sealing. The replica lives behind `JudgeReplica` so the
// app can run it in a Web Worker (off the UI thread); `createReplica` is the in-process one.
import * as Y from 'yjs';
import { decodeBase64 } from '../crypto/bytes';
import { ownedClientIds } from './client-ids';
import type { Change } from './change';
import { readChange } from './change-reading';
import type { Role } from './wire-records';

/** One change to judge against a document (the log replica). */
export type JudgeRequest = Readonly<{
  doc: Y.Doc;
  update: Uint8Array;
  /** The envelope author's device key, base64. */
  author: string;
  /** Client ids the author owns through the generations the envelope names. */
  owned: ReadonlySet<number>;
  role: Role;
  /** The author's own earlier changes not yet in the log (judging one's own change before sealing). */
  pending?: readonly Uint8Array[];
}>;

/** Why a change must not be applied, or null. Decides from the request alone, the same on every peer. */
export type ChangeJudge = (request: JudgeRequest) => string | null;

/**
 * The structural judge alone (change-reading.ts: owned client ids, no gaps, only map values, bounded
 * cost), for documents that are not vaults (transport tests, benches). Vaults use `judgeVaultChange`.
 */
export const judgeStructure: ChangeJudge = (request) => {
  const reading = readChange(
    { doc: request.doc, roots: null, pending: request.pending },
    request.update,
    request.owned,
  );
  return typeof reading === 'string' ? reading : null;
};

/** A change as the replica is told of it: who wrote it and under which role. */
export type ReplicaChange = Readonly<{ author: string; role: Role; change: Change }>;

/** The engine's log replica with its judge (in process, or in a worker: every method is asynchronous). */
export type JudgeReplica = Readonly<{
  /** Starts from a stored state (null: empty) and the author's own pending changes, by counter. */
  load: (state: Uint8Array | null, pending: readonly Readonly<{ counter: number; change: Change }>[]) => Promise<void>;
  /** Judges a change of the log at its position; applies it to the replica when accepted. */
  settle: (entry: ReplicaChange) => Promise<string | null>;
  /** Judges this device's own change `counter` when the log reaches it (it stops being pending). */
  settleOwn: (counter: number, entry: ReplicaChange) => Promise<string | null>;
  /** Judges this device's next change before it is sealed; keeps it as pending under `counter` if accepted. */
  propose: (counter: number, entry: ReplicaChange) => Promise<string | null>;
  /** Drops a pending change that will never reach the log (sealed again under another counter). */
  forget: (counter: number) => Promise<void>;
  /** Applies an admin's snapshot state (the log up to its sequence number). */
  applySnapshot: (state: Uint8Array) => Promise<void>;
  /** The replica's state: the log as this device verified it (snapshots are written from it). */
  encode: () => Promise<Uint8Array>;
  /** Releases the replica (a worker is terminated). */
  dispose: () => void;
}>;

/** The replica's logic, synchronous: what the in-process replica and the worker both run. */
export class ReplicaCore {
  private doc = new Y.Doc();
  private readonly pending = new Map<number, Change>();

  constructor(
    private readonly vaultId: string,
    private readonly judge: ChangeJudge,
  ) {}

  /** See `JudgeReplica.load`. */
  load(state: Uint8Array | null, pending: readonly Readonly<{ counter: number; change: Change }>[]): void {
    this.doc.destroy();
    this.doc = new Y.Doc();
    if (state) Y.applyUpdate(this.doc, state);
    this.pending.clear();
    for (const { counter, change } of pending) this.pending.set(counter, change);
  }

  /** See `JudgeReplica.settle`. */
  settle(entry: ReplicaChange): string | null {
    const reason = this.judgeAgainstLog(entry, []);
    if (reason === null) Y.applyUpdate(this.doc, entry.change.update);
    return reason;
  }

  /** See `JudgeReplica.settleOwn`. */
  settleOwn(counter: number, entry: ReplicaChange): string | null {
    this.pending.delete(counter);
    return this.settle(entry);
  }

  /** See `JudgeReplica.propose`. */
  propose(counter: number, entry: ReplicaChange): string | null {
    const earlier = [...this.pending.entries()].sort(([a], [b]) => a - b).map(([, change]) => change.update);
    const reason = this.judgeAgainstLog(entry, earlier);
    if (reason === null) this.pending.set(counter, entry.change);
    return reason;
  }

  /** See `JudgeReplica.forget`. */
  forget(counter: number): void {
    this.pending.delete(counter);
  }

  /** See `JudgeReplica.applySnapshot`. */
  applySnapshot(state: Uint8Array): void {
    Y.applyUpdate(this.doc, state);
  }

  /** See `JudgeReplica.encode`. */
  encode(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }

  /** See `JudgeReplica.dispose`. */
  dispose(): void {
    this.doc.destroy();
    this.pending.clear();
  }

  private judgeAgainstLog(entry: ReplicaChange, pending: readonly Uint8Array[]): string | null {
    let author: Uint8Array;
    try {
      author = decodeBase64(entry.author);
    } catch {
      return 'names an author that is not a device key';
    }
    const owned = ownedClientIds(this.vaultId, author, entry.change.generations);
    try {
      return this.judge({
        doc: this.doc,
        update: entry.change.update,
        author: entry.author,
        owned,
        role: entry.role,
        pending,
      });
    } catch {
      // The judge is total on every input it lets through; anything else is refused, alike everywhere.
      return 'could not be read as a change of this vault';
    }
  }
}

/** A `JudgeReplica` in this thread (Node: tests, the agent, benches; the app uses a worker). */
export function createReplica(vaultId: string, judge: ChangeJudge): JudgeReplica {
  const core = new ReplicaCore(vaultId, judge);
  return {
    load: (state, pending) => Promise.resolve(core.load(state, pending)),
    settle: (entry) => Promise.resolve(core.settle(entry)),
    settleOwn: (counter, entry) => Promise.resolve(core.settleOwn(counter, entry)),
    propose: (counter, entry) => Promise.resolve(core.propose(counter, entry)),
    forget: (counter) => Promise.resolve(core.forget(counter)),
    applySnapshot: (state) => Promise.resolve(core.applySnapshot(state)),
    encode: () => Promise.resolve(core.encode()),
    dispose: () => core.dispose(),
  };
}
