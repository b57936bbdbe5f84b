import Dexie, { type DexieOptions, type EntityTable, type Table } from 'dexie';
import type { KdfParams } from '../../../../shared/crypto/kdf';
import type { SealedRecord } from '../../../../shared/crypto/seal';

// The one Dexie schema of the renderer (STYLE §7). Nothing here is in the clear but ids, counters,
// nonces, salts, KDF parameters and ciphertext (DESIGN §4): vault names live in `sealedMeta`.

/** The database name the app uses; tests and extra profiles pass their own. */
export const DEFAULT_DB_NAME = 'regvault';

/** The key of the single profile row. */
export const PROFILE_ROW_ID = 'profile';

/** The profile: KDF parameters, wrapped keys, sealed settings and the unlock back-off counters. */
export type ProfileRow = Readonly<{
  id: typeof PROFILE_ROW_ID;
  kdf: KdfParams;
  wrappedMasterKey: SealedRecord;
  wrappedIdentity: SealedRecord;
  sealedSettings: SealedRecord;
  /** Wrong passphrases since the last successful unlock (cleartext on purpose: it survives a reload). */
  failedUnlocks: number;
  /** Epoch ms before which no unlock is attempted; 0 when none. */
  retryAfter: number;
  /** The recovery key's record, when one was made (recovery.ts); a new one replaces it. */
  recovery?: RecoveryRecord;
}>;

/** The master key wrapped under the recovery key, and the recovery key sealed under the master key (for rotation and backups). */
export type RecoveryRecord = Readonly<{ wrappedMasterKey: SealedRecord; sealedKey: SealedRecord; createdAt: number }>;

/** A vault: its key wrapped under the master key, its name and details sealed under its own key. */
export type VaultRow = Readonly<{ id: string; epoch: number; wrappedKey: SealedRecord; sealedMeta: SealedRecord }>;

/** One sealed Yjs update of a vault's append-only log. */
export type UpdateRow = Readonly<{ vaultId: string; seq: number; sealed: SealedRecord }>;

/** A vault's sealed snapshot: the whole document after every update up to and including `seq`. */
export type SnapshotRow = Readonly<{ vaultId: string; seq: number; sealed: SealedRecord }>;

/** A vault's sync settings and engine cursor, each sealed under the vault key (see sync-records.ts). */
export type SyncStateRow = Readonly<{
  vaultId: string;
  sealedSettings?: SealedRecord;
  sealedCursor?: SealedRecord;
  /** The engine's log replica at `replicaHead` (sealed; shared/sync/judge.ts). */
  sealedReplica?: SealedRecord;
  replicaHead?: number;
}>;

/** One sealed envelope of a vault's sync queue (local changes the relay has not acknowledged yet). */
export type SyncPendingRow = Readonly<{ vaultId: string; counter: number; sealed: SealedRecord }>;

/**
 * The Yjs generations this device wrote a vault's document under (shared/sync/client-ids.ts): with the
 * device key they give the client ids every peer lets this device write. Plain numbers, like counters.
 */
export type ClientIdsRow = Readonly<{ vaultId: string; generations: readonly number[] }>;

/** The renderer's IndexedDB database. */
export class RegvaultDb extends Dexie {
  declare profile: EntityTable<ProfileRow, 'id'>;
  declare vaults: EntityTable<VaultRow, 'id'>;
  declare updates: Table<UpdateRow, [string, number]>;
  declare snapshots: EntityTable<SnapshotRow, 'vaultId'>;
  declare syncState: EntityTable<SyncStateRow, 'vaultId'>;
  declare syncPending: Table<SyncPendingRow, [string, number]>;
  declare clientIds: EntityTable<ClientIdsRow, 'vaultId'>;

  constructor(name: string = DEFAULT_DB_NAME, options?: DexieOptions) {
    super(name, options);
    this.version(1).stores({
      profile: 'id',
      vaults: 'id',
      updates: '[vaultId+seq]',
      snapshots: 'vaultId',
    });
    // Sync (issue #7): per-vault sealed settings and cursor, and the sealed queue of unacknowledged envelopes.
    this.version(2).stores({
      syncState: 'vaultId',
      syncPending: '[vaultId+counter]',
    });
    // Protocol v5: the generations of this device's Yjs client ids per vault.
    this.version(3).stores({ clientIds: 'vaultId' });
  }
}

/** The key range of every queued envelope of one vault. */
export function pendingRange(db: RegvaultDb, vaultId: string) {
  return db.syncPending.where('[vaultId+counter]').between([vaultId, -Infinity], [vaultId, Infinity], true, true);
}

/** The key range of every log row of one vault with `from <= seq <= to`. */
export function logRange(db: RegvaultDb, vaultId: string, from: number, to: number = Infinity) {
  return db.updates.where('[vaultId+seq]').between([vaultId, from], [vaultId, to], true, true);
}
