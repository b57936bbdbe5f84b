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
export async function register(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  record: WireMemberRecord,
): Promise<void> {
  if (record.signer !== conn.deviceKey)
    return conn.sendError(id, errorCodes.authorMismatch, 'the genesis must be signed by this device');
  const existing = await ctx.vaults.get(record.vault);
  if (existing) return answerExisting(conn, id, existing.records[0], record);
  if ((await ctx.store.vaultsCreatedBy(conn.deviceKey)) >= ctx.quotas.vaultsPerDevice) {
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
  if (await ctx.store.registerVault(record.vault, record, ctx.now())) return conn.sendFrame({ t: 'done', id });
  // Registered meanwhile (by another connection, or through another relay node).
  const [genesis] = await ctx.store.memberRecords(record.vault, 0);
  answerExisting(conn, id, genesis, record);
}

/** A vault id that is taken: done if by this very genesis (a retry), else 2002. */
function answerExisting(conn: Connection, id: number, stored: WireMemberRecord | undefined, record: WireMemberRecord) {
  return JSON.stringify(stored) === JSON.stringify(record)
    ? conn.sendFrame({ t: 'done', id })
    : conn.sendError(id, errorCodes.vaultExists, 'vault id already taken');
}

/** Appends a member record signed by an admin and, when adding, stores the new member's key grant. */
export async function authorize(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  record: WireMemberRecord,
  grant: WireGrant | undefined,
): Promise<void> {
  const vault = await ctx.vaults.get(record.vault);
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
  const behind = checkFrozenCounter(vault, record) ?? (leaving ? checkLeavingCounter(vault, record) : null);
  if (behind) return conn.sendError(id, errorCodes.badRecord, behind);
  let stored: { recipient: Uint8Array; body: WireGrant } | null = null;
  if (grant) {
    const problem = checkGrant(ctx, record, grant);
    if (problem) return conn.sendError(id, errorCodes.badGrant, problem);
    stored = { recipient: asBuffer(fields.subject), body: grant };
  }
  if (!(await ctx.store.appendMember(record, stored))) {
    // Another connection or relay node changed the log (or stored a later counter of the subject) first.
    await ctx.vaults.refresh(vault);
    return conn.sendError(id, errorCodes.badRecord, 'the member log changed on the relay: catch up and sign again');
  }
  // Fan-out first: a subscribed requester then holds the record before its request resolves.
  adoptMemberRecords(vault, [record]);
  conn.sendFrame({ t: 'done', id });
}

/** Applies stored member records (this node's or another node's) to the cache and fans them out. */
export function adoptMemberRecords(vault: VaultState, records: readonly WireMemberRecord[]): void {
  for (const record of records) {
    if (record.index !== vault.records.length) continue; // already held
    const next = applyMemberRecord(vault.members, record, true);
    if (typeof next === 'string') throw new Error(`stored member record does not apply: ${next}`);
    vault.members = next;
    vault.records.push(record); // appended in place: a long log is not copied per record
    const text = encodeRelayFrame({ t: 'member', record });
    for (const subscriber of vault.subscribers) subscriber.sendText(text);
    if (record.action === 'remove') dropSubscriber(vault, record.subject);
  }
}

/** A record freezing a writer's counter must not freeze it below an envelope the relay already accepted. */
export function checkFrozenCounter(vault: VaultState, record: WireMemberRecord): string | null {
  if (record.last === undefined) return null;
  const accepted = vault.counters.get(record.subject) ?? 0;
  return accepted > record.last
    ? `the relay holds changes of that device up to counter ${accepted}: catch up and sign the record again`
    : null;
}

/**
 * A device leaving names its own last counter; it must be exactly the one the relay stored (protocol.md §7c),
 * or a leaver could keep writing under an inflated one. The leaver flushes and waits for its acks first.
 */
export function checkLeavingCounter(vault: VaultState, record: WireMemberRecord): string | null {
  if (record.last === undefined) return null;
  const stored = vault.counters.get(record.subject) ?? 0;
  return stored === record.last
    ? null
    : `the relay holds this device's changes up to counter ${stored}, not ${record.last}: send what is queued, then leave again`;
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
export async function listGrants(ctx: RelayContext, conn: Connection, id: number): Promise<void> {
  const items = [];
  for (const grant of await ctx.store.grantsFor(asBuffer(conn.device))) {
    const vault = await ctx.vaults.get(grant.vault);
    // Only grants whose recipient is still a member: a removed device gets nothing new.
    if (vault && roleOf(vault.members, conn.device) && equalBytes(decodeGrant(grant).recipient, conn.device)) {
      items.push({ grant, members: vault.records });
    }
  }
  conn.sendFrame({ t: 'grant-list', id, items });
}
