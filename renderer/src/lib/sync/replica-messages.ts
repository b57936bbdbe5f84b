// The messages between an engine and its replica worker (judge-worker.ts): one request per
// `JudgeReplica` method, answered in order with its value or the error's text.
import type { Change } from '../../../../shared/sync/change';
import type { ReplicaChange } from '../../../../shared/sync/judge';

/** A request to the replica worker. */
export type ReplicaRequest =
  | Readonly<{ method: 'init'; vaultId: string }>
  | Readonly<{ method: 'load'; state: Uint8Array | null; pending: readonly { counter: number; change: Change }[] }>
  | Readonly<{ method: 'settle'; entry: ReplicaChange }>
  | Readonly<{ method: 'settleOwn'; counter: number; entry: ReplicaChange }>
  | Readonly<{ method: 'propose'; counter: number; entry: ReplicaChange }>
  | Readonly<{ method: 'forget'; counter: number }>
  | Readonly<{ method: 'applySnapshot'; state: Uint8Array }>
  | Readonly<{ method: 'encode' }>;

/** The worker's answer to request `id`. */
export type ReplicaResponse = Readonly<
  { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string }
>;
