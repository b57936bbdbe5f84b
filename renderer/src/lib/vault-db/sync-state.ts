import { wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import type { VaultKey } from '../../../../shared/sync/envelope';
import { sealRecord, tryOpenRecord } from '../../../../shared/crypto/seal';
import {
  resetSyncCursor,
  type ReplicaCheckpoint,
  type StoredSyncState,
  type SyncCursor,
  type SyncStorage,
} from '../../../../shared/sync/storage';
import type { WireEnvelope, WireMemberRecord } from '../../../../shared/sync/wire-records';
import { pendingRange, type RegvaultDb, type SyncPendingRow, type SyncStateRow } from './db';
import {
  DEFAULT_SYNC_SETTINGS,
  openCursor,
  openPending,
  openSyncSettings,
  sealCursor,
  sealPending,
  sealSyncSettings,
  validateSyncSettings,
  type SyncSettings,
} from './sync-records';

/** What a vault's sync state needs from its session. */
export type VaultSyncStateContext = Readonly<{
  db: RegvaultDb;
  vaultId: string;
  epoch: number;
  /** The vault key; this object keeps its own copy and wipes it on `wipe()`. */
  vaultKey: Uint8Array;
  random: RandomBytes;
}>;

/**
 * One vault's persisted sync state: its sealed settings (relay URL, on/off) and the engine's `SyncStorage`
 * (sealed cursor and queue, each commit one IndexedDB transaction). Holds a copy of the vault key, which
 * the engine seals envelopes with.
 */
export class VaultSyncState {
  private readonly key: Uint8Array;
  private readonly binding: Readonly<{ vaultId: string; epoch: number }>;
  /** The engine's storage for this vault. */
  readonly storage: SyncStorage;

  constructor(private readonly ctx: VaultSyncStateContext) {
    this.key = ctx.vaultKey.slice();
    this.binding = { vaultId: ctx.vaultId, epoch: ctx.epoch };
    this.storage = { load: () => this.load(), commit: (change) => this.commit(change) };
  }

  get vaultId(): string {
    return this.ctx.vaultId;
  }

  /** The key the engine seals envelopes with (the vault key of the current epoch). */
  get vaultKey(): VaultKey {
    return { epoch: this.ctx.epoch, key: this.key };
  }

  /** The vault's sync settings (the defaults, sync off, when never set). */
  async settings(): Promise<SyncSettings> {
    const row = await this.ctx.db.syncState.get(this.ctx.vaultId);
    return row?.sealedSettings ? openSyncSettings(row.sealedSettings, this.key, this.binding) : DEFAULT_SYNC_SETTINGS;
  }

  /**
   * Stores new settings. Moving to another relay starts over there: the cursor goes back to the genesis
   * record (the new relay has none of the old one's history) and the queue is dropped (the whole document is
   * sealed again at the next start, as the cursor no longer holds a state vector).
   */
  async saveSettings(settings: SyncSettings): Promise<SyncSettings> {
    const next = validateSyncSettings(settings);
    const { db, vaultId, random } = this.ctx;
    await db.transaction('rw', db.syncState, db.syncPending, async () => {
      const row = await db.syncState.get(vaultId);
      const previous = row?.sealedSettings ? openSyncSettings(row.sealedSettings, this.key, this.binding) : null;
      let sealedCursor = row?.sealedCursor;
      if (previous && previous.relayUrl !== next.relayUrl && sealedCursor) {
        const cursor = resetSyncCursor(openCursor(sealedCursor, this.key, this.binding));
        sealedCursor = sealCursor(cursor, this.key, this.binding, random);
        await pendingRange(db, vaultId).delete();
      }
      const sealedSettings = sealSyncSettings(next, this.key, this.binding, random);
      await db.syncState.put({ vaultId, sealedSettings, ...(sealedCursor ? { sealedCursor } : {}) });
    });
    return next;
  }

  /** True once the engine (or `initialize`) stored a cursor. */
  async hasCursor(): Promise<boolean> {
    return (await this.ctx.db.syncState.get(this.ctx.vaultId))?.sealedCursor !== undefined;
  }

  /** Stores the first cursor — the member log to start from — unless one exists. */
  async initialize(members: readonly WireMemberRecord[]): Promise<void> {
    const { db } = this.ctx;
    await db.transaction('rw', db.syncState, async () => {
      if (await this.hasCursor()) return;
      const cursor: SyncCursor = { head: 0, counter: 0, snapshotSeq: 0, authors: {}, members, vector: null };
      await this.writeCursor(cursor);
    });
  }

  /**
   * Stores the cursor of a vault restored from a backup: its member log and the later epochs' keys, from the
   * start of the relay's log (the engine catches up from there), and this device's counter as it was then (the
   * same device never reuses one it may have signed). Unless a cursor exists.
   */
  async restoreCursor(
    members: readonly WireMemberRecord[],
    keys: Readonly<Record<string, string>> = {},
    counter = 0,
  ): Promise<void> {
    const { db } = this.ctx;
    await db.transaction('rw', db.syncState, async () => {
      if (await this.hasCursor()) return;
      await this.writeCursor({ head: 0, counter, snapshotSeq: 0, authors: {}, members, vector: null, keys });
    });
  }

  /** The stored cursor (member log, later epochs' keys), or null before the first sync. */
  async cursor(): Promise<SyncCursor | null> {
    return (await this.load()).cursor;
  }

  /**
   * Resets the sync cursor after a fatal sync error (rollback, forged data, gap): the engine starts over at
   * the relay's log and sends the whole document again; the queue of unsent changes is kept.
   */
  async resetCursor(): Promise<void> {
    const { db, vaultId } = this.ctx;
    await db.transaction('rw', db.syncState, async () => {
      const row = await db.syncState.get(vaultId);
      if (!row?.sealedCursor) return;
      await this.writeCursor(resetSyncCursor(openCursor(row.sealedCursor, this.key, this.binding)));
    });
  }

  /** Wipes this object's copy of the vault key. */
  wipe(): void {
    wipeBytes(this.key);
  }

  private async writeCursor(cursor: SyncCursor): Promise<void> {
    const { db, vaultId, random } = this.ctx;
    const row = await db.syncState.get(vaultId);
    await db.syncState.put({ ...row, vaultId, sealedCursor: sealCursor(cursor, this.key, this.binding, random) });
  }

  // A replica that does not open (damaged) is left out: the engine then starts from the document.
  private openReplica(row: SyncStateRow | undefined): ReplicaCheckpoint | null {
    if (!row?.sealedReplica || row.replicaHead === undefined) return null;
    const binding = { ...this.binding, kind: 'sync-replica', seq: row.replicaHead } as const;
    const state = tryOpenRecord(row.sealedReplica, this.key, binding);
    return state ? { head: row.replicaHead, state } : null;
  }

  /**
   * Reads the cursor and the queue. Envelopes an older Regvault queued (before protocol v5) are dropped in
   * the same transaction and the cursor forgets its state vector, so the engine queues the document again
   * (recoverUnqueuedUpdates): the edits they held are sent as v5 envelopes, none is lost.
   */
  private async load(): Promise<StoredSyncState> {
    const { db, vaultId } = this.ctx;
    return db.transaction('rw', db.syncState, db.syncPending, async () => {
      const row = await db.syncState.get(vaultId);
      let cursor = row?.sealedCursor ? openCursor(row.sealedCursor, this.key, this.binding) : null;
      const rows = await pendingRange(db, vaultId).toArray();
      const pending: WireEnvelope[] = [];
      const old: [string, number][] = [];
      for (const r of rows) {
        const env = openPending(r.sealed, this.key, { ...this.binding, counter: r.counter });
        if (env) pending.push(env);
        else old.push([vaultId, r.counter]);
      }
      if (old.length) {
        await db.syncPending.bulkDelete(old);
        if (cursor) {
          cursor = { ...cursor, vector: null };
          await this.writeCursor(cursor);
        }
      }
      const replica = this.openReplica(row);
      return { cursor, pending, ...(replica ? { replica } : {}) };
    });
  }

  private async commit(change: Parameters<SyncStorage['commit']>[0]): Promise<void> {
    const { db, vaultId, random } = this.ctx;
    const append: SyncPendingRow[] = (change.append ?? []).map((env) => ({
      vaultId,
      counter: env.counter,
      sealed: sealPending(env, this.key, this.binding, random),
    }));
    const replica = change.replica;
    const sealedReplica = replica
      ? sealRecord(replica.state, this.key, { ...this.binding, kind: 'sync-replica', seq: replica.head }, random)
      : undefined;
    await db.transaction('rw', db.syncState, db.syncPending, async () => {
      if (change.cursor) await this.writeCursor(change.cursor);
      if (replica && sealedReplica) {
        const row = await db.syncState.get(vaultId);
        await db.syncState.put({ ...row, vaultId, sealedReplica, replicaHead: replica.head });
      }
      if (append.length) await db.syncPending.bulkPut(append);
      if (change.remove?.length)
        await db.syncPending.bulkDelete(change.remove.map((c) => [vaultId, c] as [string, number]));
    });
  }
}
