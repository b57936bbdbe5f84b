// The sync engine: keeps one Y.Doc in sync with a vault on a relay. Local updates are sealed and
// queued at once (persisted, so nothing is lost offline) and sent when connected; remote envelopes
// are verified and applied; the connection is retried with backoff and resumes from the last
// verified sequence number.
import { catchSyncError, errorCodes, SyncProtocolError, type SyncFailure } from './codes';
import type { Result } from '../result';
import { EngineConnection } from './engine-connection';
import {
  computeStatus,
  createCore,
  publishStatus,
  restoreCore,
  type EngineCore,
  type SyncEngineOptions,
  type SyncStatus,
} from './engine-core';
import { queueLocalUpdate, recoverUnqueuedUpdates, writeSnapshot } from './engine-local';
import { keepOwnClientId, loadReplica, maybeCheckpoint } from './engine-replica';
import { sealKeyGrant } from './grants';
import { signMemberRecord, type MemberChange } from './members';
import { encodeBase64 } from '../crypto/bytes';
import { currentEpoch, removedSinceRotation } from './epochs';
import { sealingKey } from './engine-epochs';
import {
  leaveVault,
  requireLive,
  rotateVaultKey,
  withFrozenCounter,
  type RotationInput,
  type RotationReport,
} from './engine-rotation';
import { listMemberEvents, type MemberEvent } from './member-events';
import { decodePairingCode, pairingFingerprint, type PairingInvite } from './pairing';
import type { Role } from './wire-records';

/** A running sync engine for one vault. */
export type SyncEngine = Readonly<{
  /** The transaction origin of remote updates (the host's own persistence may want to know). */
  origin: object;
  /** Loads the stored queue and position, starts watching the doc and connects. */
  start: () => Promise<void>;
  /** Disconnects, stops watching the doc and waits for storage writes to finish. */
  stop: () => Promise<void>;
  /** The current status. */
  status: () => SyncStatus;
  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus: (listener: (status: SyncStatus) => void) => () => void;
  /** Local changes not yet acknowledged by the relay (also while offline). */
  pendingCount: () => number;
  /** Highest relay sequence number verified and applied. */
  head: () => number;
  /** The vault's members as this device verified them (base64 public key and role). */
  members: () => readonly Readonly<{ publicKey: string; role: Role }>[];
  /** The verified member log as events (who added, changed or removed whom), in log order. */
  memberEvents: () => readonly MemberEvent[];
  /** Calls `listener` whenever the verified member log grows; returns the unsubscribe function. */
  onMembers: (listener: () => void) => () => void;
  /**
   * Link a device from its pairing code: authorize its key in the member log and seal the vault key
   * to it with the pairing proof (needs a live connection). Resolves to the fingerprint both
   * devices show, or the numbered failure (unreadable or expired code, not connected, refused).
   */
  authorizeDevice: (code: string | PairingInvite, role?: Role) => Promise<Result<string, SyncFailure>>;
  /** Remove a device from the member log (needs a live connection; key rotation is separate). */
  removeDevice: (publicKey: Uint8Array) => Promise<Result<void, SyncFailure>>;
  /** Resolves once every local change so far is sealed and persisted. */
  flush: () => Promise<void>;
  /** Gives a member another role (needs a live connection and an admin; a lowered right carries `last`). */
  changeRole: (publicKey: Uint8Array, role: Role) => Promise<Result<void, SyncFailure>>;
  /**
   * Removes devices (none: only a new key, after someone left) and moves the vault to a new key epoch in
   * one signed step; `recipients` are the remaining devices' keys (engine-rotation.ts). Live admins only.
   */
  rotateKey: (input: RotationInput) => Promise<Result<RotationReport, SyncFailure>>;
  /** This device leaves the vault: it signs its own removal (any member; needs a live connection). */
  leave: () => Promise<Result<void, SyncFailure>>;
  /** Devices removed since the last key rotation (someone left): an admin should rotate. */
  pendingRotation: () => readonly string[];
  /** The key epoch in force (how many times the vault key changed). */
  epoch: () => number;
}>;

/** Creates the engine; nothing happens until `start()`. */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const core = createCore(options);
  const connection = new EngineConnection(core, { initialMs: 500, maxMs: 30_000, timeoutMs: 15_000, ...options.retry });
  const onUpdate = (update: Uint8Array, origin: unknown) => queueLocalUpdate(core, update, origin);
  return {
    origin: core.origin,
    start: async () => {
      if (!core.phase.is('stopped')) return;
      core.phase.enter('offline');
      const stored = await options.storage.load();
      await restoreCore(core, stored);
      await loadReplica(core, stored.replica ?? null);
      keepOwnClientId(core);
      options.doc.on('update', onUpdate);
      recoverUnqueuedUpdates(core);
      publishStatus(core);
      void connection.connect();
    },
    stop: async () => {
      core.phase.enter('stopped');
      options.doc.off('update', onUpdate);
      connection.stop();
      publishStatus(core);
      // A relay frame being handled (e.g. awaiting its signature check) finishes applying and persisting
      // before stop resolves, so the host can close the document right after.
      await connection.drained();
      // A seal in progress still persists its envelope, so a restarted engine never reuses its counter.
      while (core.sealRun) await core.sealRun;
      // The replica as of the stored head, so the next start judges against exactly the log again.
      if (!core.fatal) await maybeCheckpoint(core, true);
      await core.writer.idle();
    },
    status: () => computeStatus(core),
    onStatus: (listener) => {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
    pendingCount: () => core.outbox.size,
    head: () => core.position.head,
    members: () => [...core.memberState.roles].map(([publicKey, role]) => ({ publicKey, role })),
    memberEvents: () => listMemberEvents(core.members),
    onMembers: (listener) => {
      core.memberListeners.add(listener);
      return () => core.memberListeners.delete(listener);
    },
    authorizeDevice: (code, role = 'admin') =>
      catchSyncError(async () => {
        const invite = typeof code === 'string' ? readPairingCode(code, options.clock.now()) : code;
        await changeMembers(core, connection, { action: 'add', subject: invite.identity.signing, role }, invite);
        return pairingFingerprint(invite.secret, options.device.publicKey, invite.identity.signing);
      }),
    removeDevice: (publicKey) =>
      catchSyncError(() => changeMembers(core, connection, { action: 'remove', subject: publicKey, role: 'reader' })),
    flush: async () => {
      while (core.sealRun) await core.sealRun;
      await core.writer.idle();
    },
    changeRole: (publicKey, role) =>
      catchSyncError(() => changeMembers(core, connection, { action: 'add', subject: publicKey, role })),
    rotateKey: (input) => catchSyncError(() => rotateVaultKey(core, connection, input)),
    leave: () => catchSyncError(() => leaveVault(core, connection)),
    pendingRotation: () => removedSinceRotation(core.memberState),
    epoch: () => currentEpoch(core.memberState),
  };
}

/** Reads a pairing code typed on this device; throws with what to do when it cannot be used. */
function readPairingCode(code: string, now: number): PairingInvite {
  const invite = decodePairingCode(code, now);
  switch (invite) {
    case 'malformed':
      throw new SyncProtocolError(
        errorCodes.invalidDeviceCode,
        'That is not a pairing code: copy it again from the new device.',
      );
    case 'old-format':
      throw new SyncProtocolError(
        errorCodes.invalidDeviceCode,
        'That code is from an older Regvault: update the new device, then copy the pairing code it shows.',
      );
    case 'expired':
      throw new SyncProtocolError(
        errorCodes.pairingExpired,
        'That pairing code expired (codes last 10 minutes): show a new one on the new device and paste it here.',
      );
    default:
      return invite;
  }
}

/** Signs a member record (and, when linking, the key grant with its pairing proof) and has the relay append it. */
async function changeMembers(
  core: EngineCore,
  connection: EngineConnection,
  change: MemberChange,
  invite?: PairingInvite,
): Promise<void> {
  requireLive(core, change.action === 'add' && invite ? 'linking' : 'changing members');
  const { options } = core;
  const revokedAdmin = core.memberState.roles.get(encodeBase64(change.subject)) === 'admin' && change.role !== 'admin';
  const record = await signMemberRecord(
    core.memberState,
    withFrozenCounter(core, core.memberState, change),
    options.device,
  );
  const grant = invite
    ? await sealKeyGrant({
        vault: options.vaultId,
        vaultKey: sealingKeyOrThrow(core),
        ring: core.keys,
        recipient: invite.identity,
        signer: options.device,
        random: options.random,
        pairingSecret: invite.secret,
      })
    : undefined;
  await core.session?.request(grant ? { t: 'authorize', record, grant } : { t: 'authorize', record });
  // The relay sent the record back before answering; let it reach the member state.
  await connection.drained();
  // A snapshot the former admin wrote is no longer trusted: replace it with this admin's.
  if (revokedAdmin) await writeSnapshot(core);
}

/** The current epoch's key; linking a device while it has not arrived yet would grant an old key. */
function sealingKeyOrThrow(core: EngineCore) {
  const key = sealingKey(core);
  if (!key)
    throw new SyncProtocolError(
      errorCodes.unknownEpoch,
      'The vault key changed and has not reached this device yet: try again in a moment.',
    );
  return key;
}
