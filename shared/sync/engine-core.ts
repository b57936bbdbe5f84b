// The mutable state one sync engine shares between its parts (connection, inbound frames, local
// updates), and the status derived from it.
import type * as Y from 'yjs';
import { decodeBase64, encodeBase64 } from '../crypto/bytes';
import { errorCodes, syncError, type SyncError } from './codes';
import type { VaultKey } from './envelope';
import { emptyMemberState, verifyMemberLog, type MemberState } from './members';
import { Outbox } from './engine-outbox';
import { PhaseMachine } from './engine-phase';
import { Position } from './engine-position';
import type { BoxKeyPair, Clock, ConnectSocket, DeviceSigner, RandomBytes, VerifySignature } from './ports';
import type { RelayConnection } from './relay-connection';
import {
  createStorageWriter,
  type StorageWriter,
  type StoredSyncState,
  type SyncCursor,
  type SyncStorage,
} from './storage';
import type { WireMemberRecord } from './wire-records';
import type { ClientIdentity } from './client-ids';
import { createReplica, type ChangeJudge, type JudgeReplica } from './judge';

/**
 * The engine's status: all local edits stored on the relay, some not yet, not connected, or an error —
 * `fatal` when syncing stopped until the user acts (rollback, gap, forged data; see resetSyncCursor).
 */
export type SyncStatus =
  'synced' | Readonly<{ pending: number }> | 'offline' | Readonly<{ error: SyncError; fatal?: true }>;

/** Options of `createSyncEngine`. */
export type SyncEngineOptions = Readonly<{
  /** The vault's document; the engine applies remote updates with `engine.origin` and seals every other update. */
  doc: Y.Doc;
  vaultId: string;
  /** The vault key this device was given (a later epoch's key is fetched from its grant, epoch-keys.ts). */
  vaultKey: VaultKey;
  /** This device's Ed25519 identity (its public key authors envelopes). */
  device: DeviceSigner;
  /** This device's X25519 keys, to open the grants of new key epochs (without them a rotation stops sync). */
  boxKeys?: BoxKeyPair;
  verify: VerifySignature;
  relayUrl: string;
  /** More nodes of the same relay service (one database): after a failed or lost connection the next address is tried, in turn. */
  fallbackRelayUrls?: readonly string[];
  connect: ConnectSocket;
  random: RandomBytes;
  clock: Clock;
  storage: SyncStorage;
  /** The member log to start from when storage has none: the genesis of a vault created here, or a pulled grant's log. */
  members?: readonly WireMemberRecord[];
  /**
   * Judges what a verified envelope's change does against the log replica (protocol v5: owned client
   * ids, deletions need the delete right, authorship must be the author's own; for vaults
   * `judgeVaultChange`); a refusal skips the envelope on every peer alike. Required: there is no
   * unjudged change. The author runs it too before sealing, so its own refused edits stay local.
   */
  judge: ChangeJudge;
  /** Where the log replica and its judge run (default: in this thread, over `judge`; the app: a worker). */
  replica?: JudgeReplica;
  /** The Yjs client ids this device writes the document under (client-ids.ts); the host set the first. */
  clients: ClientIdentity;
  /** Told about each change skipped by the judge, to show the user (never applied). */
  onRefused?: (refusal: RefusedChange) => void;
  /** Write a snapshot once this many envelopes accumulated since the last one (default 300). */
  snapshotEvery?: number;
  /** Reconnect backoff bounds in ms (default 500 ms … 30 s) and request/ack timeout (default 15 s). */
  retry?: Readonly<{ initialMs?: number; maxMs?: number; timeoutMs?: number }>;
}>;

/**
 * A change every peer skips: validly signed by a member, but doing what its author may not. `own`: this
 * device's; `local`: refused here before sealing (never sent: the edit stays on this device only, seq 0).
 */
export type RefusedChange = Readonly<{
  seq: number;
  author: string;
  counter: number;
  reason: string;
  own?: true;
  local?: true;
}>;

/** State shared by the engine's modules. */
export type EngineCore = {
  readonly options: SyncEngineOptions;
  readonly origin: object;
  readonly me: string;
  readonly writer: StorageWriter;
  /** The connection phase; changed only through its transition table. */
  readonly phase: PhaseMachine;
  session: RelayConnection | null;
  /** Head, snapshot, authors' counters and recovery vector; changed only through its methods. */
  readonly position: Position;
  members: readonly WireMemberRecord[];
  memberState: MemberState;
  /** The vault keys held, by epoch (engine-epochs.ts). */
  readonly keys: Map<number, Uint8Array>;
  /** A grant fetch in progress, shared by everyone who needs a key. */
  fetchingKeys: Promise<void> | null;
  /** Counter, pending envelopes, in-flight publishes, unsealed updates; changed only through its methods. */
  readonly outbox: Outbox;
  /** The log replica the judge reads (judge.ts): exactly what the relay's log holds, up to `head`. */
  readonly replica: JudgeReplica;
  /** The head the stored replica state was taken at (a checkpoint), to store the next one. */
  checkpointHead: number;
  /** Where this device's refused changes sit: client id → first clock that never reached the log. */
  readonly localOnly: Map<number, number>;
  /** The sequence number of an envelope that failed its checks once and is being fetched again. */
  refetching: number | null;
  /** Set from a failed envelope until the next subscription: frames of the dropped connection are ignored. */
  resyncing: boolean;
  /** The running seal loop, if any. */
  sealRun: Promise<void> | null;
  snapshotting: boolean;
  catchUpTarget: number;
  registerTried: boolean;
  /** A fatal error stops syncing; a transient one is shown until the next good subscription. */
  fatal: SyncError | null;
  transient: SyncError | null;
  lastStatus: string;
  readonly listeners: Set<(status: SyncStatus) => void>;
  /** Told whenever the verified member log grows (roles changed, members added or removed). */
  readonly memberListeners: Set<() => void>;
};

/** Computes the current status from the core state. */
export function computeStatus(core: EngineCore): SyncStatus {
  if (core.fatal) return { error: core.fatal, fatal: true };
  if (core.transient) return { error: core.transient };
  if (core.phase.is('offline') || core.phase.is('stopped')) return 'offline';
  const pending = core.outbox.size;
  if (core.phase.is('live') && pending === 0) return 'synced';
  return { pending };
}

/** Recomputes the status and tells listeners when it changed. */
export function publishStatus(core: EngineCore): void {
  const status = computeStatus(core);
  const key = JSON.stringify(status);
  if (key === core.lastStatus) return;
  core.lastStatus = key;
  for (const listener of core.listeners) listener(status);
}

/** The cursor to persist for the current state. */
export function currentCursor(core: EngineCore): SyncCursor {
  return {
    head: core.position.head,
    counter: core.outbox.counter,
    snapshotSeq: core.position.snapshotSeq,
    authors: core.position.counters(),
    members: core.members,
    vector: core.position.vector,
    keys: storedKeys(core),
    ...(core.localOnly.size
      ? { localOnly: Object.fromEntries([...core.localOnly].map(([client, clock]) => [String(client), clock])) }
      : {}),
  };
}

/** The base64 form of this device's public key, as used in maps. */
export function deviceKeyOf(device: DeviceSigner): string {
  return encodeBase64(device.publicKey);
}

/** Tells the member listeners that the verified member log changed. */
export function publishMembers(core: EngineCore): void {
  for (const listener of core.memberListeners) listener();
}

/** Stops syncing with a fatal error (rollback, gap, forged log): the relay can no longer be trusted. */
export function failFatally(core: EngineCore, error: SyncError): void {
  core.fatal ??= error;
  core.session?.close();
  publishStatus(core);
}

/** Builds the initial (stopped) core state of an engine. */
export function createCore(options: SyncEngineOptions): EngineCore {
  const core: EngineCore = {
    options,
    origin: { engine: 'regvault-sync', vault: options.vaultId },
    me: deviceKeyOf(options.device),
    writer: createStorageWriter(options.storage, (error) => {
      core.transient = syncError(errorCodes.internal, `could not save sync state: ${String(error)}`);
      publishStatus(core);
    }),
    phase: new PhaseMachine(),
    session: null,
    position: new Position(),
    members: [],
    memberState: emptyMemberState(options.vaultId),
    keys: new Map([[options.vaultKey.epoch, options.vaultKey.key]]),
    fetchingKeys: null,
    outbox: new Outbox(),
    replica: options.replica ?? createReplica(options.vaultId, options.judge),
    checkpointHead: 0,
    localOnly: new Map(),
    refetching: null,
    resyncing: false,
    sealRun: null,
    snapshotting: false,
    catchUpTarget: 0,
    registerTried: false,
    fatal: null,
    transient: null,
    lastStatus: '',
    listeners: new Set(),
    memberListeners: new Set(),
  };
  return core;
}

/** Restores position, counters, queue and verified member log from storage. */
export async function restoreCore(core: EngineCore, stored: StoredSyncState): Promise<void> {
  const cursor = stored.cursor;
  core.position.restore(cursor);
  restoreKeys(core, cursor?.keys);
  for (const [client, clock] of Object.entries(cursor?.localOnly ?? {})) core.localOnly.set(Number(client), clock);
  const records = cursor?.members.length ? cursor.members : (core.options.members ?? []);
  const state = await verifyMemberLog(core.options.vaultId, records, core.options.verify);
  core.outbox.restore(cursor?.counter ?? 0, stored.pending);
  if (typeof state === 'string') {
    core.fatal = syncError(errorCodes.badMemberLog, `stored member log: ${state}`);
    return;
  }
  core.members = records;
  core.memberState = state;
  core.outbox.restore(cursor?.counter ?? 0, stored.pending);
}

/** The epoch keys to persist with the cursor (base64 by epoch; the host seals the cursor at rest). */
function storedKeys(core: EngineCore): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [epoch, key] of core.keys)
    if (epoch !== core.options.vaultKey.epoch) keys[String(epoch)] = encodeBase64(key);
  return keys;
}

/** Restores epoch keys persisted with the cursor. */
function restoreKeys(core: EngineCore, stored: Readonly<Record<string, string>> | undefined): void {
  for (const [epoch, key] of Object.entries(stored ?? {})) core.keys.set(Number(epoch), decodeBase64(key));
}
