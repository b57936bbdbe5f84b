// Request handlers of an authenticated connection. Each one checks everything the relay can check
// without the vault key — membership, write access, signatures, counters, sequence claims — before
// it stores anything, and answers with either its result frame or a numbered error. The store is
// asynchronous; the connection runs one request at a time, so answers leave in request order.
import { equalBytes } from '../shared/crypto/bytes';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import { decodeEnvelope, encodeEnvelopeSignedBytes } from '../shared/sync/envelope';
import { canWrite, roleOf } from '../shared/sync/members';
import { acceptEnvelope } from '../shared/sync/acceptance';
import { decodeSnapshot, encodeSnapshotSignedBytes } from '../shared/sync/snapshot';
import { encodeRelayFrame, type RequestFrame } from '../shared/sync/wire-frames';
import type { WireEnvelope, WireSnapshot } from '../shared/sync/wire-records';
import { asBuffer, snapshotRow, type Connection, type RelayContext } from './context';
import { adoptMemberRecords, authorize, listGrants, register } from './member-handlers';
import { rotate } from './rotation-handlers';
import { currentEpoch, epochAt } from '../shared/sync/epochs';
import { handleInvitationRequest } from './invitation-handlers';
import { subscribe } from './subscribe';
import type { VaultState } from './vaults';
export type { Connection, RelayContext } from './context';

/** Dispatches one schema-checked request of an authenticated connection. */
export function handleRequest(ctx: RelayContext, conn: Connection, frame: RequestFrame): Promise<void> | void {
  switch (frame.t) {
    case 'register':
      return register(ctx, conn, frame.id, frame.record);
    case 'authorize':
      return authorize(ctx, conn, frame.id, frame.record, frame.grant);
    case 'rotate':
      return rotate(ctx, conn, frame);
    case 'subscribe':
      return subscribe(ctx, conn, frame.id, frame.vault, frame.from, frame.members ?? 0);
    case 'publish':
      return publish(ctx, conn, frame.id, frame.env);
    case 'snapshot':
      return snapshot(ctx, conn, frame.id, frame.snap);
    case 'grants':
      return listGrants(ctx, conn, frame.id);
    case 'invite':
    case 'join':
    case 'decline':
    case 'invitations':
    case 'reject':
    case 'join-state':
      return handleInvitationRequest(ctx, conn, frame);
  }
}

function checkWriter(vault: VaultState, conn: Connection, wire: WireEnvelope): [ErrorCode, string] | null {
  if (wire.author !== conn.deviceKey) return [errorCodes.authorMismatch, 'the author must be the authenticated device'];
  // Judged as every peer judges it (member-standing.ts standingAt): at the position it names, capped by any
  // later record that took a right away and by the counter a later rotation fixed, so an old position
  // cannot lend a lost right nor the old key.
  // The counter is checked apart (a replay may be answered `dup`): here it is never below the last.
  const verdict = acceptEnvelope(vault.members, wire, -1);
  if (!('rule' in verdict)) return checkEpoch(vault, wire.epoch, wire.members);
  if (verdict.rule === 'standing') {
    // A current writer that missed a rotation: told to fetch the new key and seal again (2012).
    if (wire.epoch < currentEpoch(vault.members) && canWrite(roleOf(vault.members, conn.device))) {
      return checkEpoch(vault, wire.epoch, wire.members);
    }
    return [errorCodes.notAWriter, `this device may not write that envelope: ${verdict.why}`];
  }
  if (verdict.rule === 'role') return [errorCodes.notAWriter, 'this device may not write to the vault'];
  return checkEpoch(vault, wire.epoch, wire.members);
}

/** An envelope is sealed under the epoch in force at its position, and only the newest epoch is accepted now. */
function checkEpoch(vault: VaultState, epoch: number, position: number): [ErrorCode, string] | null {
  const current = currentEpoch(vault.members);
  if (epoch < current)
    return [errorCodes.staleEpoch, `the vault key changed (epoch ${current}): fetch the new key and seal again`];
  if (epoch !== epochAt(vault.members, position))
    return [errorCodes.malformedFrame, `epoch ${epoch} is not the one in force at member-log position ${position}`];
  return null;
}

/** Answers a publish whose counter is not above the author's last: `dup` if the very same envelope is stored. */
async function answerOldCounter(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  vault: VaultState,
  wire: WireEnvelope,
) {
  const env = decodeEnvelope(wire);
  const stored = await ctx.store.envelopeByCounter(vault.id, asBuffer(env.author), wire.counter);
  if (stored && equalBytes(stored.sig, env.sig)) return conn.sendFrame({ t: 'ack', id, seq: stored.seq, dup: true });
  conn.sendError(
    id,
    errorCodes.replayedCounter,
    `counter ${wire.counter} is not above ${vault.counters.get(wire.author) ?? 0}`,
  );
}

async function publish(ctx: RelayContext, conn: Connection, id: number, wire: WireEnvelope): Promise<void> {
  const vault = await ctx.vaults.get(wire.vault);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  // Written under member records another relay node stored and this one has not heard of yet: read them first.
  if (wire.members > vault.records.length)
    adoptMemberRecords(vault, await ctx.store.memberRecords(vault.id, vault.records.length));
  const refused = checkWriter(vault, conn, wire);
  if (refused) return conn.sendError(id, ...refused);
  if (wire.counter <= (vault.counters.get(wire.author) ?? 0)) return answerOldCounter(ctx, conn, id, vault, wire);
  const env = decodeEnvelope(wire);
  if (!ctx.verify(env.sig, encodeEnvelopeSignedBytes(env), env.author))
    return conn.sendError(id, errorCodes.badSignature, 'bad envelope signature');
  if (!(await ctx.bytes.take(conn.deviceKey, conn.device, env.ciphertext.length))) return sendOverQuota(ctx, conn, id);
  // Checked again: the quota may have waited for the store.
  if (wire.counter <= (vault.counters.get(wire.author) ?? 0)) return answerOldCounter(ctx, conn, id, vault, wire);
  vault.counters.set(wire.author, wire.counter);
  ctx.queue.push({
    vault,
    wire,
    origin: conn,
    row: {
      vault: vault.id,
      epoch: env.epoch,
      author: asBuffer(env.author),
      counter: env.counter,
      members: wire.members,
      nonce: asBuffer(env.nonce),
      ciphertext: asBuffer(env.ciphertext),
      sig: asBuffer(env.sig),
    },
    recheck: () => {
      const refused = checkWriter(vault, conn, wire);
      return refused && { code: refused[0], message: refused[1] };
    },
    onCommitted: (seq) => conn.sendFrame({ t: 'ack', id, seq, dup: false }),
    onFailed: (failure) => {
      if (failure.kind === 'refused') return conn.sendError(id, failure.code, failure.message);
      // Another node may have stored the very same envelope (a client that failed over resent it).
      answerOldCounter(ctx, conn, id, vault, wire).catch(() =>
        conn.sendError(id, errorCodes.internal, 'the relay could not store the envelope; retry later'),
      );
    },
  });
}

async function snapshot(ctx: RelayContext, conn: Connection, id: number, wire: WireSnapshot): Promise<void> {
  const vault = await ctx.vaults.get(wire.vault);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  if (wire.author !== conn.deviceKey)
    return conn.sendError(id, errorCodes.authorMismatch, 'the author must be the authenticated device');
  // A snapshot replaces everything before it (and prunes it here): only an admin's is stored.
  if (roleOf(vault.members, conn.device) !== 'admin')
    return conn.sendError(id, errorCodes.notAnAdmin, "only an admin's snapshot is stored");
  if (wire.epoch !== currentEpoch(vault.members))
    return conn.sendError(
      id,
      errorCodes.staleEpoch,
      `a snapshot is sealed under the current epoch ${currentEpoch(vault.members)}`,
    );
  if (wire.seq > vault.head)
    return conn.sendError(id, errorCodes.unknownSequence, `sequence ${wire.seq} is beyond the head ${vault.head}`);
  if (wire.seq < vault.snapshotSeq || (wire.seq === vault.snapshotSeq && !(await replacesFormerAdmin(ctx, vault))))
    return conn.sendError(id, errorCodes.staleSnapshot, `a snapshot at ${vault.snapshotSeq} is stored`);
  const snap = decodeSnapshot(wire);
  if (!ctx.verify(snap.sig, encodeSnapshotSignedBytes(snap), snap.author)) {
    return conn.sendError(id, errorCodes.badSignature, 'bad snapshot signature');
  }
  if (!(await ctx.bytes.take(conn.deviceKey, conn.device, snap.ciphertext.length))) return sendOverQuota(ctx, conn, id);
  if (!(await ctx.store.storeSnapshot(snapshotRow(snap))))
    return conn.sendError(id, errorCodes.staleSnapshot, 'a newer snapshot is stored');
  vault.snapshotSeq = Math.max(vault.snapshotSeq, wire.seq);
  conn.sendFrame({ t: 'done', id });
  const text = encodeRelayFrame({ t: 'snapshotted', vault: vault.id, seq: wire.seq });
  for (const subscriber of vault.subscribers) if (subscriber.owner !== conn) subscriber.sendText(text);
}

/** Whether the stored snapshot's author is no longer an admin (its snapshot may then be replaced at the same seq). */
async function replacesFormerAdmin(ctx: RelayContext, vault: VaultState): Promise<boolean> {
  const stored = await ctx.store.snapshotOf(vault.id);
  return stored !== undefined && roleOf(vault.members, stored.author) !== 'admin';
}

function sendOverQuota(ctx: RelayContext, conn: Connection, id: number): void {
  const mib = Math.round(ctx.quotas.bytesPerDevice / 2 ** 20);
  conn.sendError(id, errorCodes.quotaExceeded, `this device's changes may take ${mib} MiB here; it is used up`);
}
