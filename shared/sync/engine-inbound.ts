// Inbound side of the engine: frames from the relay, processed one at a time in arrival order. Every
// envelope and snapshot is checked again (engine-checks.ts) before it touches the document; sequence
// numbers must be contiguous and never go back.
import * as Y from 'yjs';
import { decodeBase64 } from '../crypto/bytes';
import { errorCodes, syncError, type ErrorCode, type SyncError } from './codes';
import {
  acceptDelivery,
  checkEnvelope,
  checkSnapshot,
  checkSnapshotCounters,
  raiseCounterFloors,
  rejectDelivery,
} from './engine-checks';
import {
  currentCursor,
  failFatally,
  publishMembers,
  publishStatus,
  type EngineCore,
  type RefusedChange,
} from './engine-core';
import { adoptCurrentEpoch, maybeWriteSnapshot, resendUnconfirmed, sendPending } from './engine-local';
import { ensureKey, sealingKey } from './engine-epochs';
import { currentEpoch } from './epochs';
import { decodeEnvelope, openEnvelope } from './envelope';
import { keepLocal, keepOwnClientId, maybeCheckpoint, settleAcknowledged, settleDelivered } from './engine-replica';
import { applyMemberRecord, encodeMemberSignedBytes, extendMemberLog } from './members';
import { decodeSnapshot, openSnapshot } from './snapshot';
import type { Change } from './change';
import type { RelayFrame } from './wire-frames';
import type { WireEnvelope, WireMemberRecord, WireSnapshot } from './wire-records';

/** Handles one relay frame after the handshake. */
export async function handleRelayFrame(core: EngineCore, frame: RelayFrame): Promise<void> {
  if (core.fatal || core.phase.is('stopped')) return;
  // After a failed envelope, nothing more of the dropped connection counts: the next subscription refetches.
  if (core.resyncing && frame.t !== 'subscribed') return;
  switch (frame.t) {
    case 'subscribed':
      return handleSubscribed(core, frame);
    case 'snap':
      return handleSnapshot(core, frame.snap);
    case 'env':
      return handleEnvelope(core, frame.seq, frame.env);
    case 'ack':
      return handleAck(core, frame.id, frame.seq, frame.dup);
    case 'member':
      return handleMember(core, frame.record);
    case 'snapshotted':
      core.position.snapshotStored(frame.seq);
      return;
    case 'error':
      return handleError(core, frame.id, frame.code as ErrorCode, frame.message);
    default:
      return;
  }
}

async function handleSubscribed(core: EngineCore, frame: Extract<RelayFrame, { t: 'subscribed' }>): Promise<void> {
  const { head } = frame;
  if (head < core.position.head) {
    return failFatally(
      core,
      syncError(
        errorCodes.rollbackDetected,
        `the relay's head ${head} is behind the verified ${core.position.head}: it lost or hid data`,
      ),
    );
  }
  if (frame.memberCount < core.members.length) {
    return failFatally(
      core,
      syncError(errorCodes.rollbackDetected, 'the relay serves a shorter member log than this device verified'),
    );
  }
  // The relay sends only the records after those this device holds; they must chain onto its verified
  // state (extendMemberLog checks each record's link to the previous hash), so a rewritten log cannot.
  if (frame.membersFrom !== core.members.length || frame.membersFrom + frame.members.length !== frame.memberCount) {
    return failFatally(
      core,
      syncError(
        errorCodes.badMemberLog,
        `the relay sent member records ${frame.membersFrom}… of ${frame.memberCount}, not the ones after ${core.members.length}`,
      ),
    );
  }
  const records = [...core.members, ...frame.members];
  const state = await extendMemberLog(core.memberState, frame.members, core.options.verify);
  if (typeof state === 'string') return failFatally(core, syncError(errorCodes.badMemberLog, state));
  // Stopped while the log was being verified: a stopped engine never catches up.
  if (core.phase.is('stopped')) return;
  const grew = records.length !== core.members.length;
  const rotated = currentEpoch(state) !== currentEpoch(core.memberState);
  core.members = records;
  core.memberState = state;
  if (grew) publishMembers(core);
  // Also when the key of the current epoch is missing (a crash between saving the log and its key).
  if (rotated || !sealingKey(core)) await adoptCurrentEpoch(core);
  core.resyncing = false;
  core.transient = null;
  core.catchUpTarget = head;
  core.phase.enter('catching-up');
  await core.writer.commit({ cursor: currentCursor(core) });
  // The connection may have dropped (or the engine stopped) while the cursor was saved.
  if (core.phase.is('catching-up') && core.position.head >= head) goLive(core);
  publishStatus(core);
}

function goLive(core: EngineCore): void {
  core.phase.enter('live');
  sendPending(core);
  publishStatus(core);
}

/** Reports a refused change; when it is this device's own, it stays local and later edits move past it. */
function refused(core: EngineCore, refusal: RefusedChange, change: Change | null): void {
  const own = refusal.author === core.me;
  if (own) keepLocal(core, change?.update ?? null);
  core.options.onRefused?.(own ? { ...refusal, own } : refusal);
}

function afterApplied(core: EngineCore): void {
  // The doc now holds nothing unsealed beyond what was received, so the recovery vector may advance.
  if (core.outbox.allSealed) core.position.recordVector(Y.encodeStateVector(core.options.doc));
  void core.writer.commit({ cursor: currentCursor(core) });
  void maybeCheckpoint(core);
  if (core.phase.is('catching-up') && core.position.head >= core.catchUpTarget) goLive(core);
  publishStatus(core);
}

async function handleSnapshot(core: EngineCore, wire: WireSnapshot): Promise<void> {
  const snap = decodeSnapshot(wire);
  if (!core.phase.is('catching-up') || snap.seq <= core.position.head || snap.seq > core.catchUpTarget) {
    return failFatally(core, syncError(errorCodes.protocolViolation, `unexpected snapshot at ${snap.seq}`));
  }
  const problem = await checkSnapshot(core, snap, wire.author);
  if (problem) return failFatally(core, problem);
  const key = await ensureKey(core, snap.epoch);
  if (!key)
    return failFatally(core, syncError(errorCodes.unknownEpoch, `no key of epoch ${snap.epoch} reached this device`));
  const content = openSnapshot(snap, key);
  if (!content) return failFatally(core, syncError(errorCodes.decryptFailed, 'snapshot does not decrypt'));
  const badCounters = checkSnapshotCounters(core, content);
  if (badCounters) return failFatally(core, badCounters);
  // An admin's snapshot is the log up to its sequence number: the replica takes it as it is.
  await core.replica.applySnapshot(content.state);
  Y.applyUpdate(core.options.doc, content.state, core.origin);
  keepOwnClientId(core);
  raiseCounterFloors(core, content);
  core.position.jumpToSnapshot(snap.seq);
  afterApplied(core);
}

async function handleEnvelope(core: EngineCore, seq: number, wire: WireEnvelope): Promise<void> {
  if (core.phase.is('offline') || seq !== core.position.head + 1) {
    return failFatally(
      core,
      syncError(errorCodes.sequenceGap, `expected sequence ${core.position.head + 1}, the relay sent ${seq}`),
    );
  }
  const env = decodeEnvelope(wire);
  const checked = await checkEnvelope(core, wire, env);
  const key = 'error' in checked ? undefined : await ensureKey(core, wire.epoch);
  const plain = key ? openEnvelope(env, key) : null;
  // The head stays before a failed envelope: it is fetched again, or syncing stops there.
  if (!plain || 'error' in checked) {
    return rejectDelivery(core, seq, 'error' in checked ? checked.error : undeliverable(seq, wire.epoch, key));
  }
  acceptDelivery(core, seq);
  core.position.applied(seq, wire.author, wire.counter);
  // A member's own fault, provable from its signed envelope: every peer skips it alike and moves on.
  const { change, reason } = await settleDelivered(core, wire, checked.role, plain);
  if (reason === null && change) {
    Y.applyUpdate(core.options.doc, change.update, core.origin);
    keepOwnClientId(core);
  } else {
    refused(core, { seq, author: wire.author, counter: wire.counter, reason: reason ?? 'is not a change' }, change);
  }
  if (wire.author === core.me) {
    // Our own envelope, served back: now it is delivered (and its counter is never reused).
    if (core.outbox.confirmedByCatchUp(wire.counter)) void core.writer.commit({ remove: [wire.counter] });
  }
  afterApplied(core);
}

function undeliverable(seq: number, epoch: number, key: unknown): SyncError {
  return key
    ? syncError(errorCodes.decryptFailed, `envelope ${seq} does not decrypt`)
    : syncError(errorCodes.unknownEpoch, `no key of epoch ${epoch} reached this device (envelope ${seq})`);
}

async function handleAck(core: EngineCore, id: number, seq: number, dup: boolean): Promise<void> {
  const counter = core.outbox.answered(id);
  if (counter === undefined) return;
  // "Already stored": only a catch-up that served it back proves that; until then it stays pending.
  if (dup) return resendUnconfirmed(core, counter);
  if (seq !== core.position.head + 1) {
    return failFatally(
      core,
      syncError(errorCodes.sequenceGap, `expected sequence ${core.position.head + 1}, the relay acked ${seq}`),
    );
  }
  const wire = core.outbox.pendingEnvelope(counter);
  core.position.applied(seq, core.me, counter);
  core.outbox.acknowledged(counter);
  void core.writer.commit({ cursor: currentCursor(core), remove: [counter] });
  publishStatus(core);
  // In the log now: the replica judges it as every peer does (a refusal means peers skip it too).
  const settled = wire ? await settleAcknowledged(core, wire) : null;
  if (settled && settled.reason !== null)
    refused(core, { seq, author: core.me, counter, reason: settled.reason }, settled.change);
  void maybeCheckpoint(core);
  void maybeWriteSnapshot(core);
}

async function handleMember(core: EngineCore, record: WireMemberRecord): Promise<void> {
  const known = core.members[record.index];
  if (known && JSON.stringify(known) === JSON.stringify(record)) return;
  const valid = await core.options.verify(
    decodeBase64(record.sig),
    encodeMemberSignedBytes(record),
    decodeBase64(record.signer),
  );
  const next = applyMemberRecord(core.memberState, record, valid);
  if (typeof next === 'string') return failFatally(core, syncError(errorCodes.badMemberLog, next));
  core.memberState = next;
  core.members = [...core.members, record];
  publishMembers(core);
  await core.writer.commit({ cursor: currentCursor(core) });
  if (record.action === 'rotate') await adoptCurrentEpoch(core);
}

function handleError(core: EngineCore, id: number | null, code: ErrorCode, message: string): void {
  if (id !== null) {
    const counter = core.outbox.answered(id);
    // Other requests' errors go to whoever awaits them (session.request).
    if (counter === undefined) return;
    // The relay says it holds this counter of ours: unproven until a catch-up serves it back.
    if (code === errorCodes.replayedCounter) return resendUnconfirmed(core, counter);
    // Refused as sealed under an old key: the rotation's record is on its way; sealed again once adopted.
    if (code === errorCodes.staleEpoch) return;
  }
  core.transient = syncError(code, message);
  publishStatus(core);
}
