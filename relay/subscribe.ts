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
  if (!roleOf(vault.members, conn.device))
    return conn.sendError(id, errorCodes.notAMember, 'this device is not a member of the vault');
  // Same turn as the answer below: every later frame of this vault reaches the held-back subscription.
  ctx.vaults.unsubscribe(conn, [vaultId]);
  const held = holdBack(conn);
  vault.subscribers.add(held.subscriber);
  conn.subscriptions.add(vaultId);
  const head = vault.head;
  conn.sendFrame({
    t: 'subscribed',
    id,
    vault: vaultId,
    head,
    snapshotSeq: vault.snapshotSeq,
    // Only what the client does not hold yet: a reconnect of a long-lived vault sends no log at all.
    members: vault.records.slice(Math.min(knownMembers, vault.records.length)),
    membersFrom: Math.min(knownMembers, vault.records.length),
    memberCount: vault.records.length,
  });
  try {
    held.release(await sendCatchUp(ctx, conn, vault, from, head));
  } catch (error) {
    vault.subscribers.delete(held.subscriber);
    conn.close(1011, 'catch-up failed; reconnect');
    throw error;
  }
}

/** Sends the snapshot (if it covers `from`) and the stored envelopes up to `head`; returns the last sequence sent. */
async function sendCatchUp(
  ctx: RelayContext,
  conn: Connection,
  vault: VaultState,
  from: number,
  head: number,
): Promise<number> {
  if (from >= head && vault.snapshotSeq <= from) return from;
  const { snap, envelopes } = await ctx.store.catchUp(vault.id, from, head);
  let sent = from;
  if (snap) {
    conn.sendFrame({ t: 'snap', snap: encodeSnapshot(snap) });
    sent = snap.seq;
  }
  for (const row of envelopes) {
    conn.sendText(encodeRelayFrame({ t: 'env', seq: row.seq, env: encodeEnvelope(row) }));
    sent = row.seq;
  }
  return sent;
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
