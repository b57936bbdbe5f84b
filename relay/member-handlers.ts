// Requests that change or read a vault's member log: registering a vault (its genesis), adding or
// removing a member (with the new member's key grant), and listing the grants addressed to a device.
import { equalBytes } from '../shared/crypto/bytes';
import { encodeGrantMessage } from '../shared/sync/canonical';
import { errorCodes } from '../shared/sync/codes';
import { decodeGrant } from '../shared/sync/grants';
import {
  applyMemberRecord,
  decodeMemberRecord,
  emptyMemberState,
  encodeMemberSignedBytes,
  roleOf,
} from '../shared/sync/members';
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';
import { asBuffer, type Connection, type RelayContext } from './context';
import type { VaultState } from './vaults';

/** Registers a vault with its genesis record, signed by this device (within its vault quota). */
export function register(ctx: RelayContext, conn: Connection, id: number, record: WireMemberRecord): void {
  if (record.signer !== conn.deviceKey)
    return conn.sendError(id, errorCodes.authorMismatch, 'the genesis must be signed by this device');
  const existing = ctx.vaults.get(record.vault);
  if (existing) {
    const same = JSON.stringify(existing.records[0]) === JSON.stringify(record);
    return same
      ? conn.sendFrame({ t: 'done', id })
      : conn.sendError(id, errorCodes.vaultExists, 'vault id already taken');
  }
  if (ctx.store.vaultsCreatedBy(conn.deviceKey) >= ctx.quotas.vaultsPerDevice) {
    return conn.sendError(
      id,
      errorCodes.quotaExceeded,
      `a device may create ${ctx.quotas.vaultsPerDevice} vaults here`,
    );
  }
  const fields = decodeMemberRecord(record);
  if (!ctx.verify(fields.sig, encodeMemberSignedBytes(record), fields.signer)) {
    return conn.sendError(id, errorCodes.badSignature, 'bad genesis signature');
  }
  const next = applyMemberRecord(emptyMemberState(record.vault), record, true);
  if (typeof next === 'string') return conn.sendError(id, errorCodes.badRecord, next);
  ctx.store.registerVault(record.vault, record, ctx.now());
  conn.sendFrame({ t: 'done', id });
}

/** Appends a member record signed by an admin and, when adding, stores the new member's key grant. */
export function authorize(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  record: WireMemberRecord,
  grant: WireGrant | undefined,
): void {
  const vault = ctx.vaults.get(record.vault);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  if (record.signer !== conn.deviceKey)
    return conn.sendError(id, errorCodes.authorMismatch, 'the record must be signed by this device');
  // Any member may leave (remove itself); every other change is an admin's.
  const leaving = record.action === 'remove' && record.subject === conn.deviceKey;
  if (roleOf(vault.members, conn.device) !== 'admin' && !(leaving && roleOf(vault.members, conn.device)))
    return conn.sendError(id, errorCodes.notAnAdmin, 'only an admin may change members');
  if (record.action === 'rotate')
    return conn.sendError(id, errorCodes.badRecord, 'a key rotation goes with its grants (rotate request)');
  if (vault.records.length >= ctx.quotas.membersPerVault) {
    return conn.sendError(
      id,
      errorCodes.quotaExceeded,
      `a vault holds at most ${ctx.quotas.membersPerVault} member records here`,
    );
  }
  const fields = decodeMemberRecord(record);
  const valid = ctx.verify(fields.sig, encodeMemberSignedBytes(record), fields.signer);
  if (!valid) return conn.sendError(id, errorCodes.badSignature, 'bad member record signature');
  const next = applyMemberRecord(vault.members, record, true);
  if (typeof next === 'string') return conn.sendError(id, errorCodes.badRecord, next);
  const behind = checkFrozenCounter(vault, record);
  if (behind) return conn.sendError(id, errorCodes.badRecord, behind);
  let stored: { recipient: Uint8Array; body: WireGrant } | null = null;
  if (grant) {
    const problem = checkGrant(ctx, record, grant);
    if (problem) return conn.sendError(id, errorCodes.badGrant, problem);
    stored = { recipient: asBuffer(fields.subject), body: grant };
  }
  ctx.store.appendMember(record, stored);
  vault.members = next;
  vault.records.push(record); // appended in place: a long log is not copied per record
  // Fan-out first: a subscribed requester then holds the record before its request resolves.
  const text = encodeRelayFrame({ t: 'member', record });
  for (const subscriber of vault.subscribers) subscriber.sendText(text);
  if (record.action === 'remove') dropSubscriber(vault, record.subject);
  conn.sendFrame({ t: 'done', id });
}

/** A record freezing a writer's counter must not freeze it below an envelope the relay already accepted. */
export function checkFrozenCounter(vault: VaultState, record: WireMemberRecord): string | null {
  if (record.last === undefined) return null;
  const accepted = vault.counters.get(record.subject) ?? 0;
  return accepted > record.last
    ? `the relay holds changes of that device up to counter ${accepted}: catch up and sign the record again`
    : null;
}

/** Drops a removed device's subscriptions to the vault, telling it why (2003). */
export function dropSubscriber(vault: VaultState, deviceKey: string): void {
  const gone = encodeRelayFrame({
    t: 'error',
    id: null,
    code: errorCodes.notAMember,
    message: 'this device was removed from the vault',
  });
  for (const subscriber of [...vault.subscribers]) {
    if (subscriber.deviceKey !== deviceKey) continue;
    vault.subscribers.delete(subscriber);
    subscriber.sendText(gone);
  }
}

function checkGrant(ctx: RelayContext, record: WireMemberRecord, wire: WireGrant): string | null {
  if (record.action !== 'add') return 'a grant goes with adding a member';
  if (wire.vault !== record.vault || wire.recipient !== record.subject || wire.signer !== record.signer) {
    return 'grant does not match the member record';
  }
  const grant = decodeGrant(wire);
  return ctx.verify(grant.sig, encodeGrantMessage(grant), grant.signer) ? null : 'bad grant signature';
}

/** The key grants addressed to this device, for vaults it is still a member of. */
export function listGrants(ctx: RelayContext, conn: Connection, id: number): void {
  const items = [];
  for (const grant of ctx.store.grantsFor(asBuffer(conn.device))) {
    const vault = ctx.vaults.get(grant.vault);
    // Only grants whose recipient is still a member: a removed device gets nothing new.
    if (vault && roleOf(vault.members, conn.device) && equalBytes(decodeGrant(grant).recipient, conn.device)) {
      items.push({ grant, members: vault.records });
    }
  }
  conn.sendFrame({ t: 'grant-list', id, items });
}
