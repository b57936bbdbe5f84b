// Subscribing: the answer (head, member records the device lacks), the catch-up from the store, then
// live envelopes. The subscription is registered before the catch-up is read, and what it receives
// meanwhile is held back and sent after the catch-up (envelopes the catch-up already carried are
// dropped), so no commit — here or on another relay node — falls between catch-up and live frames.
import { errorCodes } from '../shared/sync/codes';
import { encodeEnvelope } from '../shared/sync/envelope';
import { roleOf } from '../shared/sync/members';
import { encodeSnapshot } from '../shared/sync/snapshot';
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { Connection, RelayContext } from './context';
import { adoptMemberRecords } from './member-handlers';
import type { CatchUp } from './store';
import type { Subscriber, VaultState } from './vaults';

/** Subscribes the connection to a vault and catches it up from `from`. */
export async function subscribe(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  vaultId: string,
  from: number,
  knownMembers: number,
): Promise<void> {
  const vault = await ctx.vaults.get(vaultId);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  // Added through another relay node that this one has not heard from yet: read the log before refusing.
  if (!roleOf(vault.members, conn.device)) await catchUpMembers(ctx, vault);
  if (!roleOf(vault.members, conn.device)) {
    sendOwnRemoval(conn, vault, knownMembers);
    return conn.sendError(id, errorCodes.notAMember, 'this device is not a member of the vault');
  }
  // Answered from the position the client holds; reading again what it already received is rate-limited.
  if (!ctx.catchUps.allow(conn.deviceKey, vaultId, from))
    return conn.sendError(
      id,
      errorCodes.catchUpLimited,
      'this device asked too often for changes it already received: subscribe from the position it holds, or wait an hour',
    );
  // Registered before the catch-up is read: every later frame of this vault reaches the held-back subscription.
  ctx.vaults.unsubscribe(conn, [vaultId]);
  const held = holdBack(conn);
  vault.subscribers.add(held.subscriber);
  conn.subscriptions.add(vaultId);
  try {
    const caught = await ctx.store.catchUp(vault.id, from);
    // Member records another relay node stored and this one has not heard of: the catch-up may need them.
    if (caught.members > vault.records.length) await catchUpMembers(ctx, vault);
    answer(conn, id, vault, knownMembers, caught.head);
    held.release(sendCatchUp(conn, caught));
    ctx.catchUps.delivered(conn.deviceKey, vaultId, caught.head);
  } catch (error) {
    vault.subscribers.delete(held.subscriber);
    conn.close(1011, 'catch-up failed; reconnect');
    throw error;
  }
}

/**
 * The answer names the committed head, read with the catch-up: this node's fan-out may lag behind
 * another node's commits (a client that failed over from there must not see a lower head: 4001).
 */
function answer(conn: Connection, id: number, vault: VaultState, knownMembers: number, head: number): void {
  conn.sendFrame({
    t: 'subscribed',
    id,
    vault: vault.id,
    head,
    snapshotSeq: vault.snapshotSeq,
    // Only what the client does not hold yet: a reconnect of a long-lived vault sends no log at all.
    members: vault.records.slice(Math.min(knownMembers, vault.records.length)),
    membersFrom: Math.min(knownMembers, vault.records.length),
    memberCount: vault.records.length,
  });
}

/** Sends the snapshot (if it covers the subscriber's position) and the stored envelopes; returns the last sequence sent. */
function sendCatchUp(conn: Connection, { head, snap, envelopes }: CatchUp): number {
  if (snap) conn.sendFrame({ t: 'snap', snap: encodeSnapshot(snap) });
  for (const row of envelopes) conn.sendText(encodeRelayFrame({ t: 'env', seq: row.seq, env: encodeEnvelope(row) }));
  return head;
}

/**
 * A removed device that was away when it was removed learns who removed it: the member records it lacks,
 * up to and including its own removal (signed by an admin, chained to the log it holds), before the
 * refusal. Nothing after its removal is sent; a device that never was a member gets nothing.
 */
function sendOwnRemoval(conn: Connection, vault: VaultState, knownMembers: number): void {
  let removal = -1;
  vault.records.forEach((r, i) => {
    if (r.action === 'remove' && r.subject === conn.deviceKey) removal = i;
  });
  if (removal < 0) return;
  for (const record of vault.records.slice(Math.min(knownMembers, removal + 1), removal + 1))
    conn.sendText(encodeRelayFrame({ t: 'member', record }));
}

async function catchUpMembers(ctx: RelayContext, vault: VaultState): Promise<void> {
  adoptMemberRecords(vault, await ctx.store.memberRecords(vault.id, vault.records.length));
}

/** A subscriber that holds frames back until `release`, then forwards them (envelopes up to `sent` dropped). */
function holdBack(conn: Connection) {
  let held: { text: string; seq: number | undefined }[] | null = [];
  let sent = 0;
  const subscriber: Subscriber = {
    owner: conn,
    deviceKey: conn.deviceKey,
    sendText: (text, seq) => {
      if (held) held.push({ text, seq });
      else if (seq === undefined || seq > sent) conn.sendText(text, seq);
    },
    close: conn.close,
  };
  const release = (lastSent: number) => {
    sent = lastSent;
    const frames = held ?? [];
    held = null;
    for (const frame of frames) subscriber.sendText(frame.text, frame.seq);
  };
  return { subscriber, release };
}
