// Request handlers of an authenticated connection. Each one checks everything the relay can check
// without the vault key — membership, write access, signatures, counters, sequence claims — before
// it stores anything, and answers with either its result frame or a numbered error.
import { encodeBase64, equalBytes } from '../shared/crypto/bytes';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import { decodeEnvelope, encodeEnvelopeSignedBytes } from '../shared/sync/envelope';
import { decodeGrant } from '../shared/sync/grants';
import { encodeGrantMessage } from '../shared/sync/canonical';
import {
  applyMemberRecord,
  canWrite,
  decodeMemberRecord,
  emptyMemberState,
  encodeMemberSignedBytes,
  roleOf,
} from '../shared/sync/members';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotSignedBytes } from '../shared/sync/snapshot';
import { encodeRelayFrame, type RelayFrame, type RequestFrame } from '../shared/sync/wire-frames';
import type { WireEnvelope, WireGrant, WireMemberRecord, WireSnapshot } from '../shared/sync/wire-records';
import type { CommitQueue } from './commit-queue';
import type { ByteQuota, Quotas } from './quotas';
import type { RelayStore } from './store';
import type { Subscriber, VaultCache, VaultState } from './vaults';

/** What the handlers share. */
export type RelayContext = Readonly<{
  store: RelayStore;
  vaults: VaultCache;
  queue: CommitQueue;
  verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
  now: () => number;
  quotas: Quotas;
  bytes: ByteQuota;
}>;

/** An authenticated connection. */
export type Connection = Subscriber &
  Readonly<{
    device: Uint8Array;
    deviceKey: string;
    subscriptions: Set<string>;
    sendFrame: (frame: RelayFrame) => void;
    sendError: (id: number | null, code: ErrorCode, message: string) => void;
  }>;

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Dispatches one schema-checked request of an authenticated connection. */
export function handleRequest(ctx: RelayContext, conn: Connection, frame: RequestFrame): void {
  switch (frame.t) {
    case 'register':
      return register(ctx, conn, frame.id, frame.record);
    case 'authorize':
      return authorize(ctx, conn, frame.id, frame.record, frame.grant);
    case 'subscribe':
      return subscribe(ctx, conn, frame.id, frame.vault, frame.from, frame.members ?? 0);
    case 'publish':
      return publish(ctx, conn, frame.id, frame.env);
    case 'snapshot':
      return snapshot(ctx, conn, frame.id, frame.snap);
    case 'grants':
      return listGrants(ctx, conn, frame.id);
  }
}

function register(ctx: RelayContext, conn: Connection, id: number, record: WireMemberRecord): void {
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

function authorize(
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
  if (roleOf(vault.members, conn.device) !== 'admin')
    return conn.sendError(id, errorCodes.notAnAdmin, 'only an admin may change members');
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
function checkFrozenCounter(vault: VaultState, record: WireMemberRecord): string | null {
  if (record.last === undefined) return null;
  const accepted = vault.counters.get(record.subject) ?? 0;
  return accepted > record.last
    ? `the relay holds changes of that device up to counter ${accepted}: catch up and sign the record again`
    : null;
}

function dropSubscriber(vault: VaultState, deviceKey: string): void {
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

function subscribe(
  ctx: RelayContext,
  conn: Connection,
  id: number,
  vaultId: string,
  from: number,
  knownMembers: number,
): void {
  const vault = ctx.vaults.get(vaultId);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  if (!roleOf(vault.members, conn.device))
    return conn.sendError(id, errorCodes.notAMember, 'this device is not a member of the vault');
  conn.sendFrame({
    t: 'subscribed',
    id,
    vault: vaultId,
    head: vault.head,
    snapshotSeq: vault.snapshotSeq,
    // Only what the client does not hold yet: a reconnect of a long-lived vault sends no log at all.
    members: vault.records.slice(Math.min(knownMembers, vault.records.length)),
    membersFrom: Math.min(knownMembers, vault.records.length),
    memberCount: vault.records.length,
  });
  let after = from;
  if (vault.snapshotSeq > from && from < vault.head) {
    const snap = ctx.store.snapshotOf(vaultId);
    if (snap) {
      conn.sendFrame({ t: 'snap', snap: encodeSnapshot(snap) });
      after = snap.seq;
    }
  }
  if (after < vault.head) {
    for (const row of ctx.store.envelopesAfter(vaultId, after)) {
      conn.sendText(encodeRelayFrame({ t: 'env', seq: row.seq, env: wireOf(row) }));
    }
  }
  // Same turn as the reads above: every later commit is fanned out to this connection, none is missed.
  vault.subscribers.add(conn);
  conn.subscriptions.add(vaultId);
}

function wireOf(row: Parameters<typeof encodeSnapshot>[0] & { counter: number }): WireEnvelope {
  return {
    vault: row.vault,
    epoch: row.epoch,
    author: encodeBase64(row.author),
    counter: row.counter,
    nonce: encodeBase64(row.nonce),
    ciphertext: encodeBase64(row.ciphertext),
    sig: encodeBase64(row.sig),
  };
}

function checkWriter(vault: VaultState, conn: Connection, author: string): [ErrorCode, string] | null {
  if (author !== conn.deviceKey) return [errorCodes.authorMismatch, 'the author must be the authenticated device'];
  if (!canWrite(roleOf(vault.members, conn.device)))
    return [errorCodes.notAWriter, 'this device may not write to the vault'];
  return null;
}

function publish(ctx: RelayContext, conn: Connection, id: number, wire: WireEnvelope): void {
  const vault = ctx.vaults.get(wire.vault);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  const refused = checkWriter(vault, conn, wire.author);
  if (refused) return conn.sendError(id, ...refused);
  const env = decodeEnvelope(wire);
  if (wire.counter <= (vault.counters.get(wire.author) ?? 0)) {
    const stored = ctx.store.envelopeByCounter(vault.id, asBuffer(env.author), wire.counter);
    if (stored && equalBytes(stored.sig, env.sig)) return conn.sendFrame({ t: 'ack', id, seq: stored.seq, dup: true });
    return conn.sendError(
      id,
      errorCodes.replayedCounter,
      `counter ${wire.counter} is not above ${vault.counters.get(wire.author) ?? 0}`,
    );
  }
  if (!ctx.verify(env.sig, encodeEnvelopeSignedBytes(env), env.author))
    return conn.sendError(id, errorCodes.badSignature, 'bad envelope signature');
  if (!ctx.bytes.take(conn.deviceKey, conn.device, env.ciphertext.length)) return sendOverQuota(ctx, conn, id);
  vault.counters.set(wire.author, wire.counter);
  ctx.queue.push({
    vault,
    wire,
    row: {
      vault: vault.id,
      epoch: env.epoch,
      author: asBuffer(env.author),
      counter: env.counter,
      nonce: asBuffer(env.nonce),
      ciphertext: asBuffer(env.ciphertext),
      sig: asBuffer(env.sig),
    },
    onCommitted: (seq, envFrame) => {
      // Other devices first: the edit becomes visible there a write() sooner; each connection still
      // gets its frames in sequence order.
      for (const subscriber of vault.subscribers) if (subscriber !== conn) subscriber.sendText(envFrame);
      conn.sendFrame({ t: 'ack', id, seq, dup: false });
    },
    onFailed: () => conn.sendError(id, errorCodes.internal, 'the relay could not store the envelope; retry later'),
  });
}

function snapshot(ctx: RelayContext, conn: Connection, id: number, wire: WireSnapshot): void {
  const vault = ctx.vaults.get(wire.vault);
  if (!vault) return conn.sendError(id, errorCodes.unknownVault, 'unknown vault');
  const refused = checkWriter(vault, conn, wire.author);
  if (refused) return conn.sendError(id, ...refused);
  // A snapshot replaces everything before it (and prunes it here): only an admin's is stored.
  if (roleOf(vault.members, conn.device) !== 'admin')
    return conn.sendError(id, errorCodes.notAnAdmin, "only an admin's snapshot is stored");
  if (wire.seq > vault.head)
    return conn.sendError(id, errorCodes.unknownSequence, `sequence ${wire.seq} is beyond the head ${vault.head}`);
  if (wire.seq < vault.snapshotSeq || (wire.seq === vault.snapshotSeq && !replacesFormerAdmin(ctx, vault)))
    return conn.sendError(id, errorCodes.staleSnapshot, `a snapshot at ${vault.snapshotSeq} is stored`);
  const snap = decodeSnapshot(wire);
  if (!ctx.verify(snap.sig, encodeSnapshotSignedBytes(snap), snap.author)) {
    return conn.sendError(id, errorCodes.badSignature, 'bad snapshot signature');
  }
  if (!ctx.bytes.take(conn.deviceKey, conn.device, snap.ciphertext.length)) return sendOverQuota(ctx, conn, id);
  const row = {
    ...snap,
    author: asBuffer(snap.author),
    nonce: asBuffer(snap.nonce),
    ciphertext: asBuffer(snap.ciphertext),
    sig: asBuffer(snap.sig),
  };
  ctx.store.storeSnapshot(row);
  vault.snapshotSeq = wire.seq;
  conn.sendFrame({ t: 'done', id });
  const text = encodeRelayFrame({ t: 'snapshotted', vault: vault.id, seq: wire.seq });
  for (const subscriber of vault.subscribers) if (subscriber !== conn) subscriber.sendText(text);
}

/** Whether the stored snapshot's author is no longer an admin (its snapshot may then be replaced at the same seq). */
function replacesFormerAdmin(ctx: RelayContext, vault: VaultState): boolean {
  const stored = ctx.store.snapshotOf(vault.id);
  return stored !== undefined && roleOf(vault.members, stored.author) !== 'admin';
}

function listGrants(ctx: RelayContext, conn: Connection, id: number): void {
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

function sendOverQuota(ctx: RelayContext, conn: Connection, id: number): void {
  const mib = Math.round(ctx.quotas.bytesPerDevice / 2 ** 20);
  conn.sendError(id, errorCodes.quotaExceeded, `this device's changes may take ${mib} MiB here; it is used up`);
}
