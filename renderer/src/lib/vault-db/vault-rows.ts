// The vault rows of an unlocked profile: each vault's key (wrapped under the master key, unwrapped once
// per session) and its sealed name, and the row operations behind UnlockedProfile's vault methods.
import { toHex, wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { VaultError } from '../../../../shared/crypto/errors';
import type { KdfCheckOptions, KdfCost } from '../../../../shared/crypto/kdf';
import {
  generateVaultKey,
  unwrapVaultKey,
  wrapVaultKey,
  type ProfileKeys,
} from '../../../../shared/crypto/profile-keys';
import type { VaultKey } from '../../../../shared/sync/envelope';
import { logRange, pendingRange, type RegvaultDb, type VaultRow } from './db';
import { toProblem, type ProblemLog, type StoreProblem } from './problems';
import { normalizeVaultName, openVaultMeta, sealVaultMeta, type Settings } from './records';

/** What a session needs from the store that unlocked it. */
export type SessionContext = Readonly<{
  db: RegvaultDb;
  keys: ProfileKeys;
  settings: Settings;
  random: RandomBytes;
  now: () => number;
  kdf: KdfCheckOptions & Readonly<{ target: KdfCost }>;
  compactEvery: number;
  problems: ProblemLog;
}>;

/** A vault as the vault list shows it; `name` is null (and `problem` set) when its record is damaged. */
export type VaultSummary = Readonly<{
  id: string;
  name: string | null;
  createdAt: number | null;
  problem: StoreProblem | null;
}>;

/** The vault rows of one session; `masterKey` throws `locked` once the session is locked. */
export class VaultRows {
  private readonly vaultKeys = new Map<string, Uint8Array>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly masterKey: () => Uint8Array,
  ) {}

  /** The row of a vault; `vault-not-found` when it is gone. */
  async require(vaultId: string): Promise<VaultRow> {
    this.masterKey();
    const row = await this.ctx.db.vaults.get(vaultId);
    if (!row)
      throw new VaultError('vault-not-found', 'This vault no longer exists on this device. Refresh the vault list.');
    return row;
  }

  /** A vault's key, unwrapped once per session. */
  keyOf(row: VaultRow): Uint8Array {
    const cached = this.vaultKeys.get(row.id);
    if (cached) return cached;
    const key = unwrapVaultKey(row.wrappedKey, this.masterKey(), row.id, row.epoch);
    this.vaultKeys.set(row.id, key);
    return key;
  }

  /** Adds an empty vault with a fresh key; its name is sealed. */
  async create(name: string): Promise<VaultSummary> {
    const meta = { name: normalizeVaultName(name), createdAt: this.ctx.now() };
    const id = toHex(this.ctx.random(16));
    const vaultKey = generateVaultKey(this.ctx.random);
    await this.ctx.db.vaults.add(this.rowOf(id, { epoch: 0, key: vaultKey }, meta));
    this.vaultKeys.set(id, vaultKey);
    return { id, ...meta, problem: null };
  }

  /** Adds a vault received from another device under its id and key; null when it is already here. */
  async receive(vaultId: string, vaultKey: VaultKey, name: string): Promise<VaultSummary | null> {
    const meta = { name: normalizeVaultName(name), createdAt: this.ctx.now() };
    const row = this.rowOf(vaultId, vaultKey, meta);
    const { db } = this.ctx;
    const added = await db.transaction('rw', db.vaults, async () => {
      if (await db.vaults.get(vaultId)) return false;
      await db.vaults.add(row);
      return true;
    });
    if (!added) return null;
    this.vaultKeys.set(vaultId, vaultKey.key.slice());
    return { id: vaultId, ...meta, problem: null };
  }

  private rowOf(id: string, vaultKey: VaultKey, meta: { name: string; createdAt: number }): VaultRow {
    const { random } = this.ctx;
    return {
      id,
      epoch: vaultKey.epoch,
      wrappedKey: wrapVaultKey(vaultKey.key, this.masterKey(), id, vaultKey.epoch, random),
      sealedMeta: sealVaultMeta(meta, vaultKey.key, id, vaultKey.epoch, random),
    };
  }

  /** Every vault, by name; a damaged one is listed with `problem` set and the rest are unaffected. */
  async list(): Promise<readonly VaultSummary[]> {
    this.masterKey();
    const rows = await this.ctx.db.vaults.toArray();
    const summaries = rows.map((row) => this.summarize(row));
    return summaries.sort((a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.id.localeCompare(b.id));
  }

  private summarize(row: VaultRow): VaultSummary {
    try {
      const meta = openVaultMeta(row.sealedMeta, this.keyOf(row), row.id, row.epoch);
      return { id: row.id, name: meta.name, createdAt: meta.createdAt, problem: null };
    } catch (error) {
      const problem = toProblem(error, row.id);
      this.ctx.problems.add(problem);
      return { id: row.id, name: null, createdAt: null, problem };
    }
  }

  /** Seals a new name (also the way to replace a damaged name record). */
  async rename(vaultId: string, name: string): Promise<void> {
    const newName = normalizeVaultName(name);
    const row = await this.require(vaultId);
    const key = this.keyOf(row);
    let createdAt = this.ctx.now();
    try {
      createdAt = openVaultMeta(row.sealedMeta, key, row.id, row.epoch).createdAt;
    } catch {
      // The old record is damaged: the new name replaces it.
    }
    const sealedMeta = sealVaultMeta({ name: newName, createdAt }, key, row.id, row.epoch, this.ctx.random);
    await this.ctx.db.vaults.update(vaultId, { sealedMeta });
  }

  /** Deletes a vault's row, log, snapshot and sync state in one transaction, and wipes its key. */
  async delete(vaultId: string): Promise<void> {
    const { db } = this.ctx;
    await db.transaction('rw', [db.vaults, db.updates, db.snapshots, db.syncState, db.syncPending], async () => {
      await db.vaults.delete(vaultId);
      await db.snapshots.delete(vaultId);
      await logRange(db, vaultId, -Infinity).delete();
      await db.syncState.delete(vaultId);
      await pendingRange(db, vaultId).delete();
    });
    wipeBytes(this.vaultKeys.get(vaultId));
    this.vaultKeys.delete(vaultId);
    this.ctx.problems.clearVault(vaultId);
  }

  /** Wipes every unwrapped vault key (on lock). */
  wipeKeys(): void {
    for (const key of this.vaultKeys.values()) wipeBytes(key);
    this.vaultKeys.clear();
  }
}
