// Removing members with a new vault key (protocol v4, issue #14), and leaving a vault. A removal is one
// signed step the relay stores in one transaction: the `remove` records, a `rotate` record committing to
// a fresh key, that key (with every older one) sealed to each remaining device, and a snapshot under it,
// so everything written from then on is unreadable with the keys the removed devices hold.
import { encodeBase64 } from '../crypto/bytes';
import { errorCodes, SyncProtocolError } from './codes';
import { computeStatus, currentCursor, type EngineCore } from './engine-core';
import type { EngineConnection } from './engine-connection';
import { commitEpochKey, currentEpoch, removedSinceRotation } from './epochs';
import { sealKeyGrant, type DeviceIdentity } from './grants';
import {
  applyMemberRecord,
  canWrite,
  lowersRightsOf,
  signMemberRecord,
  type MemberChange,
  type MemberState,
} from './members';
import { keysThatMayWrite, orderRotationCounters } from './rotation-counters';
import { sealDocumentSnapshot } from './engine-local';
import type { WireGrant, WireMemberRecord, WireSnapshot } from './wire-records';

/** Who to remove (none: only rotate, after someone left) and the box keys of the devices that remain. */
export type RotationInput = Readonly<{ remove: readonly Uint8Array[]; recipients: readonly DeviceIdentity[] }>;

/** The epoch the vault moved to, and remaining devices that got no key (no box key was given for them). */
export type RotationReport = Readonly<{ epoch: number; unreached: readonly string[] }>;

/** Throws unless the engine is live on a relay (member changes need one). */
export function requireLive(core: EngineCore, what: string): void {
  if (!core.session || !core.phase.is('live')) {
    throw new SyncProtocolError(
      errorCodes.notConnected,
      `Connect to the relay first: ${what} needs a live connection.`,
    );
  }
}

/** A change that takes a right away (write or delete) carries the subject's last counter (own: the last used). */
export function withFrozenCounter(core: EngineCore, state: MemberState, change: MemberChange): MemberChange {
  const subject = encodeBase64(change.subject);
  if (!lowersRightsOf(state, change, subject)) return change;
  return { ...change, last: subject === core.me ? core.outbox.counter : core.position.counterOf(subject) };
}

/**
 * Removes devices and rotates the key in one step. A concurrent member change by another admin (or an
 * envelope committed meanwhile) makes the relay refuse it; the step is then signed again on the new state,
 * up to three times. Devices already removed are skipped; with nothing to remove and nothing pending the
 * vault stays at its epoch.
 */
export async function rotateVaultKey(
  core: EngineCore,
  connection: EngineConnection,
  input: RotationInput,
): Promise<RotationReport> {
  requireLive(core, 'removing a member');
  if (input.remove.some((key) => encodeBase64(key) === core.me)) {
    throw new SyncProtocolError(errorCodes.badRecord, 'To remove this device, leave the vault instead.');
  }
  // Own edits acknowledged first, so the snapshot under the new key covers them (at most a few seconds).
  await settle(core, 3000);
  for (let attempt = 1; ; attempt += 1) {
    await connection.drained();
    requireLive(core, 'removing a member');
    try {
      return await attemptRotation(core, connection, input);
    } catch (error) {
      const retry =
        error instanceof SyncProtocolError &&
        (error.code === errorCodes.badRecord || error.code === errorCodes.unknownSequence);
      if (!retry || attempt >= 3) throw error;
      // Give the change that raced this one time to arrive before signing again (the rotation names every
      // writer's counter as the relay stored it, this device's own included: its sends are acked first).
      await new Promise<void>((resolve) => core.options.clock.schedule(50 * attempt, resolve));
      await settle(core, 3000);
    }
  }
}

/** Resolves once every local change is on the relay (status 'synced'), or after `ms`. */
function settle(core: EngineCore, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let cancel = () => {};
    const done = () => {
      core.listeners.delete(check);
      cancel();
      resolve();
    };
    const check = () => {
      if (computeStatus(core) === 'synced') done();
    };
    core.listeners.add(check);
    cancel = core.options.clock.schedule(ms, done);
    check();
  });
}

async function attemptRotation(
  core: EngineCore,
  connection: EngineConnection,
  input: RotationInput,
): Promise<RotationReport> {
  const { options } = core;
  if (core.memberState.roles.get(core.me) !== 'admin') {
    throw new SyncProtocolError(errorCodes.notAnAdmin, 'Only an admin can remove members.');
  }
  const { records, state } = await signRemovals(core, input.remove);
  if (records.length === 0 && removedSinceRotation(state).length === 0) {
    return { epoch: currentEpoch(state), unreached: [] };
  }
  const epoch = currentEpoch(state) + 1;
  const key = options.random(32);
  const rotate = await signMemberRecord(
    state,
    {
      action: 'rotate',
      subject: commitEpochKey(options.vaultId, epoch, key),
      role: 'admin',
      counters: rotationCounters(core, state),
    },
    options.device,
  );
  const after = apply(state, rotate);
  const grants = await sealGrants(core, after, { epoch, key }, input.recipients);
  const snap = await sealRotationSnapshot(core, { epoch, key });
  // Held before the request: the records come back before its answer, and the key is checked against
  // the log's commitment wherever it is used (a refused step leaves a key no record committed to).
  core.keys.set(epoch, key);
  await core.session?.request({
    t: 'rotate',
    records: [...records, rotate],
    grants: grants.sealed,
    ...(snap ? { snap } : {}),
  });
  await connection.drained();
  if (snap) core.position.snapshotStored(snap.seq);
  await core.writer.commit({ cursor: currentCursor(core) });
  return { epoch, unreached: grants.unreached };
}

/** Every key that may still write under the old epoch, with the counter this device holds of it (own: the last used). */
function rotationCounters(core: EngineCore, state: MemberState) {
  const keys = keysThatMayWrite(state.roles, state.frozen, canWrite);
  return orderRotationCounters(keys, (key) => (key === core.me ? core.outbox.counter : core.position.counterOf(key)));
}

async function signRemovals(
  core: EngineCore,
  remove: readonly Uint8Array[],
): Promise<{ records: WireMemberRecord[]; state: MemberState }> {
  let state = core.memberState;
  const records: WireMemberRecord[] = [];
  const seen = new Set<string>();
  for (const subject of remove) {
    const key = encodeBase64(subject);
    if (seen.has(key) || !state.roles.has(key)) continue;
    seen.add(key);
    const change = withFrozenCounter(core, state, { action: 'remove', subject, role: 'reader' });
    const record = await signMemberRecord(state, change, core.options.device);
    state = apply(state, record);
    records.push(record);
  }
  return { records, state };
}

function apply(state: MemberState, record: WireMemberRecord): MemberState {
  const next = applyMemberRecord(state, record, true);
  if (typeof next === 'string') throw new SyncProtocolError(errorCodes.badRecord, next);
  return next;
}

/** The new key, with every older one this device holds, sealed to each remaining device (itself included). */
async function sealGrants(
  core: EngineCore,
  state: MemberState,
  vaultKey: Readonly<{ epoch: number; key: Uint8Array }>,
  recipients: readonly DeviceIdentity[],
): Promise<{ sealed: WireGrant[]; unreached: string[] }> {
  const { options } = core;
  const own = options.boxKeys ? [{ signing: options.device.publicKey, box: options.boxKeys.publicKey }] : [];
  const sealed: WireGrant[] = [];
  const reached = new Set<string>();
  for (const recipient of [...own, ...recipients]) {
    const key = encodeBase64(recipient.signing);
    if (reached.has(key) || !state.roles.has(key)) continue;
    reached.add(key);
    sealed.push(
      await sealKeyGrant({
        vault: options.vaultId,
        vaultKey,
        ring: core.keys,
        recipient,
        signer: options.device,
        random: options.random,
      }),
    );
  }
  const unreached = [...state.roles.keys()].filter((key) => !reached.has(key) && key !== core.me);
  return { sealed, unreached };
}

/** This admin's document under the new key, covering the relay's head (nothing older stays readable only under the old key). */
async function sealRotationSnapshot(
  core: EngineCore,
  vaultKey: Readonly<{ epoch: number; key: Uint8Array }>,
): Promise<WireSnapshot | null> {
  const seq = core.position.head;
  if (seq === 0) return null;
  const wire = await sealDocumentSnapshot(core, vaultKey, seq);
  const room = core.session ? core.session.maxFrameBytes : 0;
  // Too big for one frame: the rotation goes without it (older envelopes stay under their epoch's key).
  return wire.ciphertext.length + 4096 > room ? null : wire;
}

/**
 * This device leaves the vault: it signs its own removal (any member may). A device that may write first
 * sends what it queued and waits for the relay's acks, since its record names its last counter and the
 * relay takes only the very counter it stored (2006 otherwise; protocol.md §7c).
 */
export async function leaveVault(core: EngineCore, connection: EngineConnection): Promise<void> {
  requireLive(core, 'leaving a vault');
  const subject = core.options.device.publicKey;
  const writes = lowersRightsOf(core.memberState, { action: 'remove', role: 'reader' }, core.me);
  if (writes) await settle(core, 10_000);
  await connection.drained();
  requireLive(core, 'leaving a vault');
  if (writes && computeStatus(core) !== 'synced') {
    throw new SyncProtocolError(
      errorCodes.badRecord,
      'Changes made on this device are not on the relay yet: wait until the vault shows Synced, then leave again.',
    );
  }
  const change = withFrozenCounter(core, core.memberState, { action: 'remove', subject, role: 'reader' });
  const record = await signMemberRecord(core.memberState, change, core.options.device);
  await core.session?.request({ t: 'authorize', record });
}
