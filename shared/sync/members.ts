// A vault's member log: hash-chained records, each signed by an admin of the state before it. Record 0
// (genesis) makes its signer the first admin and registers the vault. For a personal vault every
// linked device is added as an admin, so any of the owner's devices can link the next one. A record that
// takes a right away (write, or delete) carries the subject's last counter: anything it signs above that
// is judged under the lowered role. Envelopes name the log position they were written under (protocol
// v3), so every peer judges each one against the same state, whatever order records and envelopes reach it.
import { decodeBase64, encodeBase64, equalBytes } from '../crypto/bytes';
import { encodeMemberMessage, hashMemberRecord, type MemberFields } from './canonical';
import type { DeviceSigner, VerifySignature } from './ports';
import {
  checkRotationCounters,
  decodeRotationCounters,
  keysThatMayWrite,
  type WireRotationCounters,
} from './rotation-counters';
import type { Role, WireMemberRecord } from './wire-records';

/** The verified state of a member log after its last record. */
export type MemberState = Readonly<{
  vault: string;
  length: number;
  head: Uint8Array;
  roles: ReadonlyMap<string, Role>;
  /** Former writers (removed or made readers) → the last counter of theirs that stays valid. */
  frozen: ReadonlyMap<string, number>;
  /** Every key's role changes in log order, to judge an envelope at the position it names. */
  timeline: ReadonlyMap<string, readonly RoleChange[]>;
  /** The `rotate` records in log order: epoch `e` (from 1) began at `rotations[e − 1]` (epochs.ts). */
  rotations: readonly Rotation[];
}>;

/**
 * A key rotation: the record's index, its signer, the commitment to the new epoch's key and the counter
 * every key that could still write had reached (an envelope naming an earlier position is valid up to it).
 */
export type Rotation = Readonly<{
  index: number;
  signer: string;
  commitment: Uint8Array;
  counters: ReadonlyMap<string, number>;
}>;

/** One change of a key's role: at record `index` it became `role` (undefined: removed); `last` if it lost a right. */
export type RoleChange = Readonly<{ index: number; role: Role | undefined; last?: number }>;

const zeroHash = new Uint8Array(32);

/** The state before the genesis record of `vault`. */
export function emptyMemberState(vault: string): MemberState {
  return { vault, length: 0, head: zeroHash, roles: new Map(), frozen: new Map(), timeline: new Map(), rotations: [] };
}

/** Decodes a wire member record into the fields its signature covers, plus the signature. */
export function decodeMemberRecord(wire: WireMemberRecord): MemberFields & Readonly<{ sig: Uint8Array }> {
  return {
    vault: wire.vault,
    index: wire.index,
    prev: decodeBase64(wire.prev),
    action: wire.action,
    subject: decodeBase64(wire.subject),
    role: wire.role,
    signer: decodeBase64(wire.signer),
    sig: decodeBase64(wire.sig),
    ...(wire.last === undefined ? {} : { last: wire.last }),
    ...(wire.counters === undefined ? {} : { counters: decodeRotationCounters(wire.counters) }),
  };
}

/** The bytes a member record's signature covers. */
export function encodeMemberSignedBytes(wire: WireMemberRecord): Uint8Array {
  return encodeMemberMessage(decodeMemberRecord(wire));
}

/** The role a public key holds in the state, if any. */
export function roleOf(state: MemberState, publicKey: Uint8Array): Role | undefined {
  return state.roles.get(encodeBase64(publicKey));
}

/** Whether the role may publish envelopes and snapshots. */
export function canWrite(role: Role | undefined): boolean {
  return role === 'admin' || role === 'manager' || role === 'writer';
}

/** Whether the role may remove entries (the product page's delete permission). */
export function canDelete(role: Role | undefined): boolean {
  return role === 'admin' || role === 'manager';
}

/** Whether going from `before` to `after` takes away the right to write or to delete. */
export function lowersRights(before: Role | undefined, after: Role | undefined): boolean {
  return (canWrite(before) && !canWrite(after)) || (canDelete(before) && !canDelete(after));
}

/** Whether a change takes a right (write or delete) away from its subject, so it must carry `last`. */
export function lowersRightsOf(
  state: MemberState,
  change: Pick<MemberChange, 'action' | 'role'>,
  subject: string,
): boolean {
  return lowersRights(state.roles.get(subject), change.action === 'remove' ? undefined : change.role);
}

/** Whether a change takes write access away from its subject (removing a writer, or making it a reader). */
export function revokesWrite(
  state: MemberState,
  change: Pick<MemberChange, 'action' | 'role'>,
  subject: string,
): boolean {
  return canWrite(state.roles.get(subject)) && (change.action === 'remove' || !canWrite(change.role));
}

function nextFrozen(
  state: MemberState,
  record: MemberFields,
  subject: string,
  inPlace: boolean,
): Map<string, number> | string {
  const frozen = inPlace ? (state.frozen as Map<string, number>) : new Map(state.frozen);
  const lowers = lowersRightsOf(state, record, subject);
  if (lowers !== (record.last !== undefined)) {
    return lowers
      ? 'a record that takes a right away must carry the last counter'
      : 'only a record that takes a right away carries a counter';
  }
  if (record.last !== undefined && revokesWrite(state, record, subject)) frozen.set(subject, record.last);
  // Write access given back lifts the freeze.
  else if (record.action === 'add' && canWrite(record.role)) frozen.delete(subject);
  return frozen;
}

/**
 * Applies one record to a state, given whether its signature verified. Returns the next state, or the
 * reason the record is refused (wrong vault, index or chain, signer not an admin, removing the last admin).
 */
export function applyMemberRecord(
  state: MemberState,
  wire: WireMemberRecord,
  signatureValid: boolean,
): MemberState | string {
  return applyRecord(state, wire, signatureValid, false);
}

/**
 * Replays records onto a copy of `state`, changing that copy in place: linear in the log's length
 * (applying them one by one copies the role map each time, quadratic for a long log). The first
 * refusal is returned with the index of its record.
 */
function replayRecords(
  state: MemberState,
  records: readonly Readonly<{ wire: WireMemberRecord; valid: boolean }>[],
): MemberState | string {
  let current: MemberState = {
    ...state,
    roles: new Map(state.roles),
    frozen: new Map(state.frozen),
    timeline: new Map(state.timeline),
    rotations: [...state.rotations],
  };
  for (const { wire, valid } of records) {
    const next = applyRecord(current, wire, valid, true);
    if (typeof next === 'string') return `record ${wire.index}: ${next}`;
    current = next;
  }
  return current;
}

/** Replays a stored log whose signatures were checked when it was stored (the relay's cache). */
export function replayMemberLog(vault: string, records: readonly WireMemberRecord[]): MemberState | string {
  return replayRecords(
    emptyMemberState(vault),
    records.map((wire) => ({ wire, valid: true })),
  );
}

function applyRecord(
  state: MemberState,
  wire: WireMemberRecord,
  signatureValid: boolean,
  inPlace: boolean,
): MemberState | string {
  const record = decodeMemberRecord(wire);
  if (record.vault !== state.vault) return 'record belongs to another vault';
  if (record.index !== state.length) return `expected record ${state.length}, got ${record.index}`;
  if (!equalBytes(record.prev, state.head)) return 'record does not chain to the previous one';
  if (!signatureValid) return 'bad record signature';
  const refused = checkSigner(state, record);
  if (refused) return refused;
  const head = hashMemberRecord(record, record.sig);
  if (record.action === 'rotate') {
    const next = rotated(state, record, inPlace);
    return typeof next === 'string' ? next : { ...next, length: state.length + 1, head };
  }
  if (record.counters !== undefined) return 'only a rotate record carries counters';
  const subject = encodeBase64(record.subject);
  const frozen = nextFrozen(state, record, subject, inPlace);
  if (typeof frozen === 'string') return frozen;
  const roles = inPlace ? (state.roles as Map<string, Role>) : new Map(state.roles);
  const before = roles.get(subject);
  if (record.action === 'add') roles.set(subject, record.role);
  else if (!roles.delete(subject)) return 'subject is not a member';
  // Only a record that takes an admin away can leave the vault without one.
  if (before === 'admin' && roles.get(subject) !== 'admin' && !hasAdmin(roles))
    return 'a vault keeps at least one admin';
  const timeline = nextTimeline(state, record, subject, roles.get(subject), inPlace);
  return { ...state, length: state.length + 1, head, roles, frozen, timeline };
}

/**
 * Why the record's signer may not sign it, or null: the genesis adds its own signer as admin; later
 * records are signed by an admin, except that any member may remove itself (leaving a vault).
 */
function checkSigner(state: MemberState, record: MemberFields): string | null {
  if (state.length === 0) {
    const genesis = record.action === 'add' && record.role === 'admin' && equalBytes(record.subject, record.signer);
    return genesis ? null : 'genesis must add its signer as admin';
  }
  const signer = state.roles.get(encodeBase64(record.signer));
  if (record.action === 'rotate') {
    if (signer !== 'admin') return 'signer is not an admin';
    return record.role === 'admin' && record.last === undefined
      ? null
      : 'a rotate record names the admin role and no counter';
  }
  if (signer === 'admin') return null;
  const leaving = record.action === 'remove' && equalBytes(record.subject, record.signer) && signer !== undefined;
  return leaving ? null : 'signer is not an admin';
}

function rotated(state: MemberState, record: MemberFields, inPlace: boolean): MemberState | string {
  const expected = keysThatMayWrite(state.roles, state.frozen, canWrite);
  const counters = checkRotationCounters(record.counters ?? [], expected, state.frozen);
  if (typeof counters === 'string')
    return record.counters === undefined ? 'a rotate record carries counters' : counters;
  const rotation: Rotation = {
    index: record.index,
    signer: encodeBase64(record.signer),
    commitment: record.subject,
    counters,
  };
  if (!inPlace) return { ...state, rotations: [...state.rotations, rotation] };
  (state.rotations as Rotation[]).push(rotation);
  return state;
}

function nextTimeline(
  state: MemberState,
  record: MemberFields,
  subject: string,
  role: Role | undefined,
  inPlace: boolean,
): ReadonlyMap<string, readonly RoleChange[]> {
  const timeline = inPlace ? (state.timeline as Map<string, readonly RoleChange[]>) : new Map(state.timeline);
  const change: RoleChange = { index: record.index, role, ...(record.last === undefined ? {} : { last: record.last }) };
  timeline.set(subject, [...(timeline.get(subject) ?? []), change]);
  return timeline;
}

function hasAdmin(roles: ReadonlyMap<string, Role>): boolean {
  for (const role of roles.values()) if (role === 'admin') return true;
  return false;
}

/** Verifies a whole log from genesis; returns the state or the reason it is refused. */
export function verifyMemberLog(
  vault: string,
  records: readonly WireMemberRecord[],
  verify: VerifySignature,
): Promise<MemberState | string> {
  return extendMemberLog(emptyMemberState(vault), records, verify);
}

/** Verifies `records` as the continuation of an already verified state. */
export async function extendMemberLog(
  state: MemberState,
  records: readonly WireMemberRecord[],
  verify: VerifySignature,
): Promise<MemberState | string> {
  const checked = [];
  for (const wire of records) {
    const record = decodeMemberRecord(wire);
    checked.push({ wire, valid: await verify(record.sig, encodeMemberMessage(record), record.signer) });
  }
  return replayRecords(state, checked);
}

/**
 * What a new member record says (`last`: the subject's last counter, when the change takes a right away;
 * `counters`: on a rotation, the counter of every key that may still write, see rotation-counters.ts).
 */
export type MemberChange = Readonly<{
  action: 'add' | 'remove' | 'rotate';
  subject: Uint8Array;
  role: Role;
  last?: number;
  counters?: WireRotationCounters;
}>;

/** Signs the next record of a log (the signer must be an admin of `state`, or the subject of a genesis). */
export async function signMemberRecord(
  state: MemberState,
  change: MemberChange,
  signer: DeviceSigner,
): Promise<WireMemberRecord> {
  const fields: MemberFields = {
    vault: state.vault,
    index: state.length,
    prev: state.head,
    action: change.action,
    subject: change.subject,
    role: change.role,
    signer: signer.publicKey,
    ...(change.last === undefined ? {} : { last: change.last }),
    ...(change.counters === undefined ? {} : { counters: decodeRotationCounters(change.counters) }),
  };
  const sig = await signer.sign(encodeMemberMessage(fields));
  return {
    vault: fields.vault,
    index: fields.index,
    prev: encodeBase64(fields.prev),
    action: fields.action,
    subject: encodeBase64(fields.subject),
    role: fields.role,
    signer: encodeBase64(fields.signer),
    sig: encodeBase64(sig),
    ...(fields.last === undefined ? {} : { last: fields.last }),
    ...(change.counters === undefined ? {} : { counters: [...change.counters] }),
  };
}

/** Signs the genesis record that makes this device the first admin of a new vault. */
export function createGenesisRecord(vault: string, signer: DeviceSigner): Promise<WireMemberRecord> {
  return signMemberRecord(emptyMemberState(vault), { action: 'add', subject: signer.publicKey, role: 'admin' }, signer);
}
