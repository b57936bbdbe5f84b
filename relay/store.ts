// The relay's storage seam. The handlers see only this asynchronous interface; two implementations
// sit behind it: SQLite (relay/sqlite-store.ts, the embedded default, one process) and PostgreSQL
// (relay/pg-store.ts, several relay processes on one database). The store holds only what the relay
// may see: vault ids, public keys, counters, sequence numbers, signatures, nonces and ciphertext.
import type { InvitationItem, WireJoinRequest } from '../shared/sync/invitation-wire';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';

/** An envelope row: binary fields as stored. */
export type StoredEnvelope = Readonly<{
  vault: string;
  seq: number;
  epoch: number;
  author: Uint8Array;
  counter: number;
  /** The member-log position the author wrote under. */
  members: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}>;

/** An envelope that passed the checks and waits for its sequence number (the store assigns it). */
export type NewEnvelope = Omit<StoredEnvelope, 'seq'>;

/** A snapshot row. */
export type StoredSnapshot = Omit<StoredEnvelope, 'counter' | 'members'>;

/** Everything the vault cache loads about a vault. */
export type StoredVault = Readonly<{
  head: number;
  records: WireMemberRecord[];
  counters: { author: Buffer; counter: number }[];
  snapshotSeq: number;
}>;

/** The committed positions of a vault, for catching up with changes other relay nodes made. */
export type VaultPositions = Readonly<{ vault: string; head: number; members: number; snapshotSeq: number }>;

/**
 * What a subscription catching up from `from` is sent, read consistently: the committed head and
 * member-log length, the snapshot (if it covers `from`) and the envelopes after it up to the head.
 */
export type CatchUp = Readonly<{
  head: number;
  members: number;
  snap: StoredSnapshot | null;
  envelopes: StoredEnvelope[];
}>;

/**
 * Outcome of a group commit: each envelope's sequence number, in order; or nothing stored, because
 * another relay node changed the member log of some vaults since their envelopes were checked
 * (`stale`), or already holds the counter of some envelopes' authors or a higher one (`replayed`:
 * their indexes; a client that failed over resent an envelope the node it left had stored).
 */
export type AppendResult = Readonly<
  { ok: true; seqs: readonly number[] } | { ok: false; stale: readonly string[]; replayed: readonly number[] }
>;

/** A change another relay node committed (PostgreSQL only); `resync` after a lost notification channel. */
export type RemoteChange = Readonly<
  | { kind: 'env'; vault: string; head: number }
  | { kind: 'member'; vault: string }
  | { kind: 'snap'; vault: string; seq: number }
  | { kind: 'resync' }
>;

/**
 * One team invitation's mailbox (docs/protocol.md §7b): its vault, expiry, state, the join request it
 * holds, the admin device that opened it with its sealed copy (`keep`), and how many other devices
 * tried to use the same code (`contested`).
 */
export type InvitationSlot = Readonly<{
  invitation: string;
  vault: string;
  expiresAt: number;
  state: InvitationItem['state'];
  request: WireJoinRequest | null;
  inviter: string;
  keep: string;
  contested: number;
}>;

/** The bounds `openInvitation` checks: live slots per vault and per inviting device. */
export type InvitationLimits = Readonly<{ perVault: number; perInviter: number }>;

/** What `changeInvitation` does: the slot to store instead (none: unchanged) and the answer. */
export type InvitationChange<T> = Readonly<{ next?: InvitationSlot; result: T }>;

/**
 * The invitation mailboxes, in the database: they survive a restart, and every relay node sees the same
 * ones. A slot whose expiry is not after `now` counts as absent (and is deleted when the next one opens).
 */
export type InvitationStore = Readonly<{
  /**
   * Stores `slot` unless its id is taken, its vault holds `perVault` live ones or its inviter `perInviter`:
   * null when stored, else the slot held under that id, or 'too-many'. Atomic across relay nodes.
   */
  openInvitation: (
    slot: InvitationSlot,
    now: number,
    limits: InvitationLimits,
  ) => Promise<InvitationSlot | 'too-many' | null>;
  /** Reads the live slot under a lock, lets `change` decide, and stores its `next` slot, in one transaction. */
  changeInvitation: <T>(
    invitation: string,
    now: number,
    change: (slot: InvitationSlot | undefined) => InvitationChange<T>,
  ) => Promise<T>;
  /** The live slot under an id. */
  invitationById: (invitation: string, now: number) => Promise<InvitationSlot | undefined>;
  /** A vault's live slots, oldest expiry first. */
  invitationsOf: (vault: string, now: number) => Promise<InvitationSlot[]>;
  /** Deletes slots (completed invitations). */
  dropInvitations: (invitations: readonly string[]) => Promise<void>;
}>;

/** The relay's persistent state; every mutating method is one transaction, acknowledged only once committed. */
export type RelayStore = InvitationStore &
  Readonly<{
    /** `sqlite` or `postgres`, for logs and metrics. */
    kind: 'sqlite' | 'postgres';
    /** A vault's committed head, members, counters and snapshot position; undefined if it is not registered. */
    loadVault: (vault: string) => Promise<StoredVault | undefined>;
    /** The member records of a vault from index `from` on. */
    memberRecords: (vault: string, from: number) => Promise<WireMemberRecord[]>;
    /** The author counters of a vault (the highest per author, pruned envelopes included). */
    authorCounters: (vault: string) => Promise<{ author: Buffer; counter: number }[]>;
    /** Envelopes with `after < seq ≤ upTo`, in order. */
    envelopesAfter: (vault: string, after: number, upTo: number) => Promise<StoredEnvelope[]>;
    /** The committed head, the snapshot covering `from` (if newer) and the envelopes after it, read consistently. */
    catchUp: (vault: string, from: number) => Promise<CatchUp>;
    envelopeByCounter: (
      vault: string,
      author: Uint8Array,
      counter: number,
    ) => Promise<{ seq: number; sig: Buffer } | undefined>;
    snapshotOf: (vault: string) => Promise<StoredSnapshot | undefined>;
    grantsFor: (recipient: Uint8Array) => Promise<WireGrant[]>;
    /** How many vaults a device created (signed the genesis of), for its quota. */
    vaultsCreatedBy: (deviceKey: string) => Promise<number>;
    /** Ciphertext bytes a device's envelopes and snapshots hold on this relay now, for its quota. */
    bytesStoredBy: (author: Uint8Array) => Promise<number>;
    /** Registers a vault with its genesis record; false when the vault id is already registered. */
    registerVault: (vault: string, genesis: WireMemberRecord, now: number) => Promise<boolean>;
    /**
     * Appends a member record (at its index) and, if given, stores a key grant, atomically. False when
     * the index is taken or (a record with `last`) the relay holds a higher counter of its subject.
     */
    appendMember: (
      record: WireMemberRecord,
      grant: { recipient: Uint8Array; body: WireGrant } | null,
    ) => Promise<boolean>;
    /**
     * A key rotation (protocol v4) in one transaction: member records (the first at its index), the new
     * epoch's grants and, if given, a snapshot under it at the committed head (pruning what it covers).
     * False when the member log or the head moved meanwhile (another relay node): nothing is stored.
     */
    appendRotation: (
      records: readonly WireMemberRecord[],
      grants: readonly { recipient: Uint8Array; body: WireGrant }[],
      snap: StoredSnapshot | null,
    ) => Promise<boolean>;
    /**
     * Stores a group of envelopes in one transaction, assigning each the next sequence number of its
     * vault. `members`: the member-log length each vault's envelopes were checked against.
     */
    appendEnvelopes: (envelopes: readonly NewEnvelope[], members: ReadonlyMap<string, number>) => Promise<AppendResult>;
    /** Replaces a vault's snapshot and prunes the envelopes it covers; false when a newer one is stored. */
    storeSnapshot: (snap: StoredSnapshot) => Promise<boolean>;
    /** The committed positions of `vaults`. */
    positions: (vaults: readonly string[]) => Promise<VaultPositions[]>;
    /** Calls `listener` with every change other relay nodes commit (never for SQLite: one process). */
    watch: (listener: (change: RemoteChange) => void) => void;
    /** Connections of the database pool (PostgreSQL), null for SQLite. */
    poolStats: () => Readonly<{ total: number; idle: number; waiting: number }> | null;
    /** Resolves when the database answers a trivial query. */
    ping: () => Promise<void>;
    close: () => Promise<void>;
  }>;
