// Local side of the engine: sealing the document's own updates into the persisted queue, recovering
// updates a crash kept out of the queue, and writing snapshots.
import * as Y from 'yjs';
import { errorCodes, syncError } from './codes';
import { currentCursor, publishStatus, type EngineCore } from './engine-core';
import type { SealBatch } from './engine-outbox';
import { encodeEnvelope, sealEnvelope, type VaultKey } from './envelope';
import { encodeChange } from './change';
import { ownedClientIds } from './client-ids';
import { keepLocal, openChange, proposeChange } from './engine-replica';
import type { WireSnapshot } from './wire-records';
import { encodeSnapshot, sealSnapshot } from './snapshot';
import { ensureKey, sealingKey } from './engine-epochs';
import { currentEpoch } from './epochs';

/** Thrown by a seal when the log's current epoch has no key here yet: the batch waits for it. */
class KeyPending extends Error {
  constructor(readonly epoch: number) {
    super(`the vault key changed; waiting for the new key (epoch ${epoch})`);
  }
}

/** Queues a local Yjs update for sealing (the doc's `update` handler; remote updates are skipped by origin). */
export function queueLocalUpdate(core: EngineCore, update: Uint8Array, origin: unknown): void {
  if (origin === core.origin) return;
  core.outbox.queueUpdate(update);
  publishStatus(core);
  resumeSealing(core);
}

/** Seals queued updates (merged while a previous seal was running), persists them, then sends them if live. */
export async function drainLocalUpdates(core: EngineCore): Promise<void> {
  core.outbox.setSealing(true);
  try {
    for (let batch = core.outbox.takeBatch(); batch; batch = core.outbox.takeBatch()) {
      try {
        await sealBatch(core, batch);
      } catch (error) {
        core.outbox.returnBatch(batch);
        core.transient =
          error instanceof KeyPending
            ? syncError(errorCodes.unknownEpoch, error.message)
            : syncError(errorCodes.internal, `could not seal a local change: ${String(error)}`);
        break;
      }
    }
  } finally {
    core.outbox.setSealing(false);
    publishStatus(core);
  }
}

async function sealBatch(core: EngineCore, { updates, replaced }: SealBatch): Promise<void> {
  // Taken now, while every local update so far is in `updates`: the vector persisted with the
  // envelope then covers nothing that is neither queued nor received.
  const vector = Y.encodeStateVector(core.options.doc);
  const update = updates.length === 1 && updates[0] ? updates[0] : Y.mergeUpdates(updates);
  const vaultKey = sealingKey(core);
  if (!vaultKey) throw new KeyPending(currentEpoch(core.memberState));
  const counter = core.outbox.nextCounter();
  for (const old of replaced) await core.replica.forget(old);
  // Judged as every peer will judge it; a refused change is never sent (it stays on this device only).
  const change = await proposeChange(core, counter, update);
  if (typeof change === 'string') return refuseLocally(core, change, update, vector, replaced);
  const env = await sealEnvelope({
    vault: core.options.vaultId,
    vaultKey,
    counter,
    members: core.members.length,
    update: encodeChange(change),
    signer: core.options.device,
    random: core.options.random,
  });
  const wire = encodeEnvelope(env);
  core.outbox.sealed(counter);
  core.position.recordVector(vector);
  // The envelopes this one seals again leave the queue in the same commit, so no edit is ever out of it.
  await core.writer.commit({ append: [wire], cursor: currentCursor(core), remove: replaced });
  core.outbox.queued(wire, replaced);
  sendPending(core);
}

/**
 * This device's own judge refused a change (the same judgement its peers would make): it is not sealed,
 * the user is told why, and later edits continue on a fresh client id so they do not wait behind it.
 */
async function refuseLocally(
  core: EngineCore,
  reason: string,
  update: Uint8Array,
  vector: Uint8Array,
  replaced: readonly number[],
) {
  core.position.recordVector(vector);
  keepLocal(core, update);
  await core.writer.commit({ cursor: currentCursor(core), remove: replaced });
  core.outbox.drop(replaced);
  core.options.onRefused?.({ seq: 0, author: core.me, counter: 0, reason, own: true, local: true });
}

/**
 * The relay answered a pending envelope with "already stored" (`dup`, or 3002) although no catch-up served
 * it back — it may sit in a snapshot, or the relay lies. Yjs updates apply idempotently, so its update is
 * sealed again under a new counter and sent; an envelope already sealed again stays pending with an error.
 */
export function resendUnconfirmed(core: EngineCore, counter: number): void {
  const wire = core.outbox.pendingEnvelope(counter);
  if (!wire) return;
  const update = openChange(core, wire)?.update ?? null;
  const decision = core.outbox.supersede(counter, update !== null);
  if (decision === 'ignore') return;
  if (decision === 'refuse' || !update) {
    core.transient = syncError(
      errorCodes.replayedCounter,
      `the relay claims to hold change ${counter} but never served it: it stays queued until it does`,
    );
    return publishStatus(core);
  }
  queueLocalUpdate(core, update, null);
}

/**
 * Sends, in counter order, the pending envelopes not yet in flight on the live session. Stops at one
 * larger than the relay accepts: sending later counters past it would make the relay refuse it forever.
 */
export function sendPending(core: EngineCore): void {
  const session = core.session;
  if (!session || !core.phase.is('live')) return;
  // Envelopes of an older epoch are sealed again under the new key first (adoptCurrentEpoch).
  for (const wire of core.outbox.unsent(currentEpoch(core.memberState))) {
    // Frames are ASCII JSON, so string length is byte length; 512 bytes cover the other fields.
    if (wire.ciphertext.length + 512 > session.maxFrameBytes) {
      core.transient = syncError(
        errorCodes.envelopeTooLarge,
        `A change of ${wire.ciphertext.length} bytes exceeds the relay's ${session.maxFrameBytes}-byte frame limit: ask the relay operator to raise --max-frame-bytes.`,
      );
      publishStatus(core);
      return;
    }
    core.outbox.sent(session.send({ t: 'publish', env: wire }), wire.counter);
  }
}

/**
 * Queues what this device wrote beyond the persisted vector (edits a crash kept out of the queue; after a
 * reset, everything it wrote). Only its own client ids: what others wrote reaches the log through them.
 */
export function recoverUnqueuedUpdates(core: EngineCore): void {
  const { doc, vaultId, device, clients } = core.options;
  const vector = core.position.vector;
  const known = vector ? Y.decodeStateVector(vector) : new Map<number, number>();
  const current = Y.decodeStateVector(Y.encodeStateVector(doc));
  const own = ownedClientIds(vaultId, device.publicKey, clients.generations());
  // Everything of other clients counts as known, so the encoding below carries only this device's structs.
  const target = new Map(current);
  let ahead = false;
  for (const client of own) {
    const clock = known.get(client) ?? 0;
    target.set(client, clock);
    if ((current.get(client) ?? 0) > clock) ahead = true;
  }
  if (!ahead) return;
  queueLocalUpdate(core, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(target)), null);
}

/** Writes a snapshot covering `head` when enough envelopes accumulated since the last one. */
export async function maybeWriteSnapshot(core: EngineCore): Promise<void> {
  if (core.position.head - core.position.snapshotSeq >= (core.options.snapshotEvery ?? 300)) await writeSnapshot(core);
}

/**
 * Writes a snapshot covering `head` now (also right after removing an admin: only a current admin's
 * snapshot is trusted, so one the removed admin wrote is replaced). Failures are left to the next try.
 */
export async function writeSnapshot(core: EngineCore): Promise<void> {
  const session = core.session;
  if (core.snapshotting || !core.phase.is('live') || !session || core.position.head === 0) return;
  // Only an admin's snapshot is stored and trusted (it replaces everything before it).
  if (core.memberState.roles.get(core.me) !== 'admin') return;
  const vaultKey = sealingKey(core);
  if (!vaultKey) return;
  core.snapshotting = true;
  try {
    const seq = core.position.head;
    const wire = await sealDocumentSnapshot(core, vaultKey, seq);
    if (wire.ciphertext.length + 512 > session.maxFrameBytes) return;
    await session.request({ t: 'snapshot', snap: wire });
    core.position.snapshotStored(seq);
    await core.writer.commit({ cursor: currentCursor(core) });
  } catch {
    // A stale snapshot (another device was first) or a dropped connection: the next ack retries.
  } finally {
    core.snapshotting = false;
  }
}

/**
 * The log moved to a newer epoch (a member was removed): get its key, then seal the queued envelopes of
 * older epochs again under it — their updates, merged, under a new counter; they leave the queue in the
 * same storage commit — so an offline member's edits are never lost to a rotation. Until the key arrives
 * nothing new is sealed (local edits wait, unsealed; the state vector recovers them after a restart).
 */
export async function adoptCurrentEpoch(core: EngineCore): Promise<void> {
  const epoch = currentEpoch(core.memberState);
  const key = await ensureKey(core, epoch);
  if (!key) {
    core.transient = syncError(
      errorCodes.unknownEpoch,
      `the vault key changed (epoch ${epoch}) and no admin has sealed the new one to this device yet`,
    );
    return publishStatus(core);
  }
  const stale = [];
  for (const wire of core.outbox.stale(epoch)) {
    const update = openChange(core, wire)?.update;
    if (update && core.outbox.supersedeStale(wire.counter)) stale.push(update);
  }
  if (core.transient?.code === errorCodes.unknownEpoch || core.transient?.code === errorCodes.staleEpoch)
    core.transient = null;
  for (const update of stale) core.outbox.queueUpdate(update);
  resumeSealing(core);
}

/** Starts the seal loop if updates wait unsealed and none is running. */
function resumeSealing(core: EngineCore): void {
  if (core.outbox.sealing || core.outbox.allSealed) return publishStatus(core);
  const run: Promise<void> = drainLocalUpdates(core).finally(() => {
    if (core.sealRun === run) core.sealRun = null;
  });
  core.sealRun = run;
}

/**
 * The log up to `seq` (the replica's state: never this device's unsent or refused edits) and the replay
 * floors, sealed as a snapshot covering `seq` under `vaultKey`.
 */
export async function sealDocumentSnapshot(core: EngineCore, vaultKey: VaultKey, seq: number): Promise<WireSnapshot> {
  const counters = core.position.counters();
  const state = await core.replica.encode();
  const snap = await sealSnapshot({
    vault: core.options.vaultId,
    vaultKey,
    seq,
    content: { state, counters },
    signer: core.options.device,
    random: core.options.random,
  });
  return encodeSnapshot(snap);
}
