// The engine's side of the log replica (judge.ts): what it loads at start, which changes it settles in log
// order (others' envelopes, this device's own when acknowledged or served back), judging this device's next
// change before it is sealed, checkpoints, and keeping the document on a client id this device owns.
import * as Y from 'yjs';
import { decodeChange, type Change } from './change';
import { generationsOf, ownedClientIds } from './client-ids';
import { rebaseOntoLog } from './rebase';
import { currentCursor, type EngineCore } from './engine-core';
import { keyOf } from './engine-epochs';
import { decodeEnvelope, openEnvelope } from './envelope';
import { canWrite } from './members';
import { standingAt } from './member-standing';
import type { Role, WireEnvelope } from './wire-records';

/** How often (in applied envelopes) the replica's state is stored with the cursor, besides at stop. */
const CHECKPOINT_EVERY = 300;

/**
 * Loads the replica: the stored checkpoint when it was taken at the stored head (exact); else, for a device
 * that already synced, its document (exact unless edits were pending or refused when it stopped without
 * a checkpoint — a crash); an unsynced vault starts empty, as its log is.
 */
export async function loadReplica(core: EngineCore, checkpoint: Readonly<{ head: number; state: Uint8Array }> | null) {
  const head = core.position.head;
  const state =
    checkpoint && checkpoint.head === head
      ? checkpoint.state
      : head > 0
        ? Y.encodeStateAsUpdate(core.options.doc)
        : null;
  core.checkpointHead = checkpoint?.head === head ? head : 0;
  const pending = [];
  for (const wire of core.outbox.allPending()) {
    const change = openChange(core, wire);
    if (change) pending.push({ counter: wire.counter, change });
  }
  await core.replica.load(state, pending);
}

/** Opens one of this device's queued envelopes to its change (null: its epoch's key is not held). */
export function openChange(core: EngineCore, wire: WireEnvelope): Change | null {
  const key = keyOf(core, wire.epoch);
  const plain = key ? openEnvelope(decodeEnvelope(wire), key) : null;
  return plain ? decodeChange(plain) : null;
}

/**
 * Settles a delivered envelope in log order: judged against the replica (applied there if accepted).
 * Returns the refusal, or null. Own envelopes stop being pending.
 */
export async function settleDelivered(core: EngineCore, wire: WireEnvelope, role: Role, plain: Uint8Array) {
  const change = decodeChange(plain);
  if (!change) return { change: null, reason: 'is not a change of this protocol version' };
  const entry = { author: wire.author, role, change };
  const reason =
    wire.author === core.me ? await core.replica.settleOwn(wire.counter, entry) : await core.replica.settle(entry);
  return { change, reason };
}

/** Settles this device's own envelope `counter` the relay acknowledged (it is in the log now). */
export async function settleAcknowledged(core: EngineCore, wire: WireEnvelope) {
  const change = openChange(core, wire);
  if (!change) return { change, reason: null };
  const role = ownRole(core, wire.counter, wire.members ?? core.members.length);
  return { change, reason: await core.replica.settleOwn(wire.counter, { author: core.me, role, change }) };
}

/** This device's role for a change at `counter` written at member-log `position` (reader if it has none). */
export function ownRole(core: EngineCore, counter: number, position: number): Role {
  const standing = standingAt(core.memberState, core.me, counter, position);
  return 'role' in standing ? standing.role : 'reader';
}

/**
 * Judges this device's next change before it is sealed, against the replica and its own pending changes,
 * exactly as its peers will: the change, or why it stays on this device.
 */
export async function proposeChange(core: EngineCore, counter: number, local: Uint8Array): Promise<Change | string> {
  const { options } = core;
  const role = ownRole(core, counter, core.members.length);
  if (!canWrite(role)) return 'this device may not change this vault (its role is Viewer)';
  const update = rebaseOntoLog(options.doc, local, core.localOnly);
  // Structs on an id this device does not own are the judge's to refuse (one rule, in one place).
  const change = {
    generations: generationsOf(update, options.vaultId, options.device.publicKey, options.clients.generations()),
    update,
  };
  const reason = await core.replica.propose(counter, { author: core.me, role, change });
  return reason ?? change;
}

/**
 * After a change of this device was refused (here or by the log): its items stay on this device only (later
 * changes are rebased past them, rebase.ts), and the document continues on a fresh owned client id, so later
 * edits do not wait behind a gap that will never fill.
 */
export function keepLocal(core: EngineCore, update: Uint8Array | null): void {
  if (update) {
    const own = ownedClientIds(core.options.vaultId, core.options.device.publicKey, core.options.clients.generations());
    for (const [client, clock] of Y.parseUpdateMeta(update).from) {
      if (own.has(client)) core.localOnly.set(client, Math.min(core.localOnly.get(client) ?? clock, clock));
    }
  }
  core.options.clients.advance();
}

/** Keeps the document on a client id this device owns (call after applying anything remote). */
export function keepOwnClientId(core: EngineCore): void {
  // Yjs moves a document to a random id when a remote update writes on its current one.
  const { doc, clients } = core.options;
  if (doc.clientID !== clients.current()) clients.advance();
}

/** Stores the replica's state with the cursor when enough envelopes were applied since the last one (or `force`). */
export async function maybeCheckpoint(core: EngineCore, force = false): Promise<void> {
  const head = core.position.head;
  if (head === core.checkpointHead || (!force && head - core.checkpointHead < CHECKPOINT_EVERY)) return;
  core.checkpointHead = head;
  const state = await core.replica.encode();
  await core.writer.commit({ cursor: currentCursor(core), replica: { head, state } });
}
