// Key epochs (protocol v4, issue #14). A vault's key changes when a member is removed: an admin appends
// a `rotate` record to the member log, committing to a fresh key, and seals that key to every remaining
// device. Epoch `e` is the key in force after the e-th `rotate` record (epoch 0: the creator's key), so
// the epoch of an envelope follows from the member-log position it names — every peer and the relay
// derive the same number, whatever order records and envelopes reach them.
import { equalBytes } from '../crypto/bytes';
import { encodeEpochKeyCommitment } from './canonical';
import type { MemberState } from './members';

/** The vault keys a device holds: epoch → 32-byte key. */
export type KeyRing = ReadonlyMap<number, Uint8Array>;

/** The epoch in force after member records `0 … position − 1`: how many `rotate` records they hold. */
export function epochAt(state: MemberState, position: number): number {
  let epoch = 0;
  for (const rotation of state.rotations) if (rotation.index < position) epoch += 1;
  return epoch;
}

/** The epoch in force at the end of the verified member log (what new envelopes and snapshots use). */
export function currentEpoch(state: MemberState): number {
  return state.rotations.length;
}

/** The member-log index of the `rotate` record that began `epoch` (undefined for epoch 0 or an unknown one). */
export function rotationIndexOf(state: MemberState, epoch: number): number | undefined {
  return epoch === 0 ? undefined : state.rotations[epoch - 1]?.index;
}

/** The commitment a `rotate` record makes to its new key. */
export function commitEpochKey(vault: string, epoch: number, key: Uint8Array): Uint8Array {
  return encodeEpochKeyCommitment(vault, epoch, key);
}

/** Whether `key` is the one the log's `rotate` record committed to for `epoch` (epoch 0 has no record: any key). */
export function matchesCommitment(state: MemberState, epoch: number, key: Uint8Array): boolean {
  if (epoch === 0) return true;
  const rotation = state.rotations[epoch - 1];
  return rotation !== undefined && equalBytes(rotation.commitment, commitEpochKey(state.vault, epoch, key));
}

/** The devices removed since the last rotation (someone left, or a removal before protocol v4): their keys. */
export function removedSinceRotation(state: MemberState): string[] {
  const since = state.rotations.at(-1)?.index ?? -1;
  const removed: string[] = [];
  for (const [key, changes] of state.timeline) {
    const last = changes.at(-1);
    if (last && last.role === undefined && last.index > since && !state.roles.has(key)) removed.push(key);
  }
  return removed;
}
