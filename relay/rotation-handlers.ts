// Removing members and rotating the vault key (protocol v4, issue #14), as one request stored in one
// transaction: the `remove` records, one `rotate` record committing to the new key, the new epoch's key
// sealed to each remaining device (grants the relay cannot open), and optionally the admin's snapshot
// under the new key. From then on the relay refuses envelopes and snapshots of an older epoch (2012).
import { encodeGrantMessage } from '../shared/sync/canonical';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import { currentEpoch } from '../shared/sync/epochs';
import { decodeGrant } from '../shared/sync/grants';
import {
  applyMemberRecord,
  decodeMemberRecord,
  encodeMemberSignedBytes,
  roleOf,
  type MemberState,
} from '../shared/sync/members';
import { decodeSnapshot, encodeSnapshotSignedBytes } from '../shared/sync/snapshot';
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { WireGrant, WireMemberRecord, WireSnapshot } from '../shared/sync/wire-records';
import { asBuffer, snapshotRow, type Connection, type RelayContext } from './context';
import { checkFrozenCounter, dropSubscriber } from './member-handlers';
import type { StoredSnapshot } from './store';
import type { VaultState } from './vaults';

type Refusal = readonly [ErrorCode, string];

/** Applies a removal-and-rotation step: records, grants and snapshot are checked first, then stored together. */
export async function rotate(
  ctx: RelayContext,
  conn: Connection,
  frame: Readonly<{
    id: number;
    records: readonly WireMemberRecord[];
    grants: readonly WireGrant[];
    snap?: WireSnapshot | undefined;
  }>,
): Promise<void> {
  const { id, records, grants } = frame;
  const vault = await ctx.vaults.get(records[0]?.vault ?? '');
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  if (roleOf(vault.members, conn.device) !== 'admin')
    return conn.sendError(id, errorCodes.notAnAdmin, 'only an admin may remove members and change the vault key');
  if (vault.records.length + records.length > ctx.quotas.membersPerVault) {
    return conn.sendError(
      id,
      errorCodes.quotaExceeded,
      `a vault holds at most ${ctx.quotas.membersPerVault} member records here`,
    );
  }
  const next = checkRecords(ctx, conn, vault, records);
  if ('refused' in next) return conn.sendError(id, ...next.refused);
  const stored = checkGrants(ctx, conn, next.state, grants);
  if ('refused' in stored) return conn.sendError(id, ...stored.refused);
  const snap = frame.snap ? await checkRotationSnapshot(ctx, conn, vault, next.state, frame.snap) : null;
  if (snap && 'refused' in snap) return conn.sendError(id, ...snap.refused);
  // Refused when another relay node changed the member log or the head meanwhile: nothing is stored.
  if (!(await ctx.store.appendRotation(records, stored.grants, snap?.row ?? null))) {
    await ctx.vaults.refresh(vault);
    return conn.sendError(id, errorCodes.unknownSequence, 'the vault changed on the relay: catch up and try again');
  }
  vault.members = next.state;
  vault.records.push(...records);
  if (snap) vault.snapshotSeq = snap.row.seq;
  // Fan-out first: a subscribed requester then holds the records before its request resolves.
  for (const record of records) {
    const text = encodeRelayFrame({ t: 'member', record });
    for (const subscriber of vault.subscribers) subscriber.sendText(text);
  }
  for (const record of records) if (record.action === 'remove') dropSubscriber(vault, record.subject);
  if (snap) {
    const text = encodeRelayFrame({ t: 'snapshotted', vault: vault.id, seq: snap.row.seq });
    for (const subscriber of vault.subscribers) if (subscriber.owner !== conn) subscriber.sendText(text);
  }
  conn.sendFrame({ t: 'done', id });
}

/** Every record is this device's, verifies and applies in turn; `remove` records come first, one `rotate` last. */
function checkRecords(
  ctx: RelayContext,
  conn: Connection,
  vault: VaultState,
  records: readonly WireMemberRecord[],
): { state: MemberState } | { refused: Refusal } {
  let state = vault.members;
  for (const [i, record] of records.entries()) {
    const last = i === records.length - 1;
    if (record.vault !== vault.id)
      return { refused: [errorCodes.badRecord, 'every record must be for the same vault'] };
    if (record.signer !== conn.deviceKey)
      return { refused: [errorCodes.authorMismatch, 'the records must be signed by this device'] };
    if (record.action !== (last ? 'rotate' : 'remove'))
      return { refused: [errorCodes.badRecord, 'a rotation is removals followed by one rotate record'] };
    const fields = decodeMemberRecord(record);
    if (!ctx.verify(fields.sig, encodeMemberSignedBytes(record), fields.signer))
      return { refused: [errorCodes.badSignature, 'bad member record signature'] };
    const applied = applyMemberRecord(state, record, true);
    if (typeof applied === 'string') return { refused: [errorCodes.badRecord, applied] };
    const behind = checkFrozenCounter(vault, record) ?? checkRotationCounters(vault, record);
    if (behind) return { refused: [errorCodes.badRecord, behind] };
    state = applied;
  }
  return { state };
}

/**
 * A `rotate` record's counters must be the ones the relay stored (protocol.md §7c): peers then refuse any
 * old-epoch envelope above them. An admin behind on some writer's envelopes catches up and signs again.
 */
function checkRotationCounters(vault: VaultState, record: WireMemberRecord): string | null {
  for (const { device, counter } of record.counters ?? []) {
    const stored = vault.counters.get(device) ?? 0;
    if (stored !== counter)
      return `the relay holds changes of a device up to counter ${stored}, not ${counter}: catch up and sign the rotation again`;
  }
  return null;
}

/** Grants of the new epoch, signed by this device, at most one per remaining member and none for anyone else. */
function checkGrants(
  ctx: RelayContext,
  conn: Connection,
  state: MemberState,
  grants: readonly WireGrant[],
): { grants: { recipient: Uint8Array; body: WireGrant }[] } | { refused: Refusal } {
  const epoch = currentEpoch(state);
  const seen = new Set<string>();
  const stored = [];
  for (const wire of grants) {
    if (wire.vault !== state.vault || wire.epoch !== epoch || wire.signer !== conn.deviceKey)
      return { refused: [errorCodes.badGrant, `a grant must be this device's, for epoch ${epoch} of this vault`] };
    if (!state.roles.has(wire.recipient) || seen.has(wire.recipient))
      return { refused: [errorCodes.badGrant, 'one grant per remaining member, none for anyone else'] };
    seen.add(wire.recipient);
    const grant = decodeGrant(wire);
    if (!ctx.verify(grant.sig, encodeGrantMessage(grant), grant.signer))
      return { refused: [errorCodes.badSignature, 'bad grant signature'] };
    stored.push({ recipient: asBuffer(grant.recipient), body: wire });
  }
  return { grants: stored };
}

/** The remover's snapshot under the new key: its own, of the new epoch, covering exactly the committed head. */
async function checkRotationSnapshot(
  ctx: RelayContext,
  conn: Connection,
  vault: VaultState,
  state: MemberState,
  wire: WireSnapshot,
): Promise<{ row: StoredSnapshot } | { refused: Refusal }> {
  if (wire.vault !== vault.id || wire.author !== conn.deviceKey || wire.epoch !== currentEpoch(state))
    return { refused: [errorCodes.badRecord, "the snapshot must be this device's, under the new epoch"] };
  if (wire.seq !== vault.head || wire.seq < vault.snapshotSeq)
    return { refused: [errorCodes.unknownSequence, `the head is ${vault.head}: catch up and try again`] };
  const snap = decodeSnapshot(wire);
  if (!ctx.verify(snap.sig, encodeSnapshotSignedBytes(snap), snap.author))
    return { refused: [errorCodes.badSignature, 'bad snapshot signature'] };
  if (!(await ctx.bytes.take(conn.deviceKey, conn.device, snap.ciphertext.length)))
    return { refused: [errorCodes.quotaExceeded, "this device's storage quota here is used up"] };
  return { row: snapshotRow(snap) };
}
