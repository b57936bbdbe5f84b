// What the engine trusts in what the relay delivers, in one place: who may have signed an envelope or a
// snapshot, which counters a snapshot may set, and what a failed check does (the envelope is fetched
// again once, then syncing stops: it is never skipped with the head moving past it).
import { errorCodes, syncError, type SyncError } from './codes';
import { failFatally, publishStatus, type EngineCore } from './engine-core';
import { acceptEnvelope } from './acceptance';
import { verifyEnvelope, type Envelope } from './envelope';
import { currentEpoch } from './epochs';
import { mayAuthor } from './member-standing';
import { verifySnapshot, type Snapshot, type SnapshotContent } from './snapshot';
import type { Role, WireEnvelope } from './wire-records';

const forged = (why: string) => syncError(errorCodes.forgedEnvelope, why);

/**
 * The role an envelope was written under, or why it must not be applied: vault, the author's standing at
 * the member-log position it names (the relay checks the same, so a failure is the relay's doing), replay,
 * signature, epoch.
 */
export async function checkEnvelope(
  core: EngineCore,
  wire: WireEnvelope,
  env: Envelope,
): Promise<Standing | { error: SyncError }> {
  if (wire.vault !== core.options.vaultId) return { error: forged('envelope for another vault') };
  // The relay's rule too (acceptance.ts): a refusal here means the relay stored what it should not have.
  const verdict = acceptEnvelope(core.memberState, wire, core.position.counterOf(wire.author));
  if ('rule' in verdict) return { error: forged(`envelope author: ${verdict.why}`) };
  if (!(await verifyEnvelope(env, core.options.verify))) return { error: forged('bad envelope signature') };
  return verdict;
}

/** The role an envelope is judged under (every envelope is judged, protocol.md §6). */
export type Standing = Readonly<{ role: Role }>;

/** Why a snapshot must not be applied, or null: only a current admin's snapshot of this vault is trusted. */
export async function checkSnapshot(core: EngineCore, snap: Snapshot, author: string): Promise<SyncError | null> {
  if (snap.vault !== core.options.vaultId) return forged('snapshot for another vault');
  if (core.memberState.roles.get(author) !== 'admin') return forged('snapshot author is not an admin');
  if (!(await verifySnapshot(snap, core.options.verify))) return forged('bad snapshot signature');
  if (snap.epoch > currentEpoch(core.memberState)) {
    return syncError(errorCodes.unknownEpoch, `snapshot uses key epoch ${snap.epoch}, beyond the member log's`);
  }
  return null;
}

/**
 * Why a snapshot's counter table is refused, or null. Every counter is a safe integer and belongs to a key
 * that may have written it (a writer, or a removed one up to its frozen counter): the signer cannot have
 * seen anyone else's envelopes.
 */
export function checkSnapshotCounters(core: EngineCore, content: SnapshotContent): SyncError | null {
  for (const [author, counter] of Object.entries(content.counters)) {
    if (!Number.isSafeInteger(counter)) return forged('snapshot counter beyond the safe integer range');
    if (!mayAuthor(core.memberState, author, counter))
      return forged('snapshot counter for a key that could not write it');
  }
  return null;
}

/**
 * Raises the other authors' replay floors to a snapshot's counters. This device's own counter and queue are
 * never taken from a snapshot: its envelopes count as delivered only when the relay serves them back.
 */
export function raiseCounterFloors(core: EngineCore, content: SnapshotContent): void {
  for (const [author, counter] of Object.entries(content.counters)) {
    if (author === core.me) continue;
    core.position.raiseFloor(author, counter);
  }
}

/**
 * An envelope at `seq` failed its checks: the first time, the connection is dropped and the engine
 * resubscribes from its unchanged head (a damaged frame is fetched again); the same failure twice stops
 * syncing with that error.
 */
export function rejectDelivery(core: EngineCore, seq: number, error: SyncError): void {
  if (core.refetching === seq) return failFatally(core, error);
  core.refetching = seq;
  core.resyncing = true;
  core.transient = error;
  publishStatus(core);
  core.session?.close();
}

/** The envelope at `seq` passed its checks: a refetch in progress for it is over. */
export function acceptDelivery(core: EngineCore, seq: number): void {
  if (core.refetching === seq) core.refetching = null;
}
