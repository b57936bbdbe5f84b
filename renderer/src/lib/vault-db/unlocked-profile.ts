import { toHex, wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { catchVaultError, VaultError, type VaultFailure } from '../../../../shared/crypto/errors';
import type { KdfCheckOptions, KdfCost } from '../../../../shared/crypto/kdf';
import {
  generateVaultKey,
  unwrapVaultKey,
  wipeProfileKeys,
  wrapVaultKey,
  type ProfileKeys,
} from '../../../../shared/crypto/profile-keys';
import type { Result } from '../../../../shared/result';
import type { VaultKey } from '../../../../shared/sync/envelope';
import { encodePairingCode, type Pairing } from '../../../../shared/sync/pairing';
import { pullKeyGrants, type PulledGrants, type PullKeyGrantsInput } from '../../../../shared/sync/link';
import type { DeviceSigner } from '../../../../shared/sync/ports';
import type { SyncFailure } from '../../../../shared/sync/codes';
import { importEd25519Signer } from '../sync/browser-ports';
import { logRange, pendingRange, PROFILE_ROW_ID, type RegvaultDb, type VaultRow } from './db';
import { OpenVault } from './open-vault';
import { changeProfilePassphrase } from './rotate-keys';
import { toProblem, type ProblemLog, type StoreProblem } from './problems';
import {
  normalizeVaultName,
  openVaultMeta,
  sealSettings,
  sealVaultMeta,
  validateSettings,
  type Settings,
} from './records';
import { VaultSyncState } from './sync-state';

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

/** The public halves of the profile's identity keys (for sharing, later). */
export type IdentityPublicKeys = Readonly<{ signing: Uint8Array; exchange: Uint8Array }>;

/** An unlocked profile: the only holder of its keys, and the owner of every open vault's Y.Doc. */
export class UnlockedProfile {
  private keys: ProfileKeys | null;
  private currentSettings: Settings;
  private readonly vaultKeys = new Map<string, Uint8Array>();
  private readonly open = new Map<string, Promise<OpenVault>>();
  private readonly lockListeners = new Set<() => Promise<void> | void>();

  constructor(private readonly ctx: SessionContext) {
    this.keys = ctx.keys;
    this.currentSettings = ctx.settings;
  }

  /** True after `lock()`. */
  get locked(): boolean {
    return this.keys === null;
  }

  /** Everything found damaged or failed to save during this session, per vault. */
  get problems(): readonly StoreProblem[] {
    return this.ctx.problems.all;
  }

  /** Calls `listener` for each new problem (e.g. a write that failed after an edit); returns the unsubscribe. */
  onProblem(listener: (problem: StoreProblem) => void): () => void {
    return this.ctx.problems.subscribe(listener);
  }

  /** The profile's settings (auto-lock minutes). */
  get settings(): Settings {
    return this.currentSettings;
  }

  /** The public identity keys. */
  get identity(): IdentityPublicKeys {
    const { identity } = this.requireKeys();
    return { signing: identity.signing.publicKey.slice(), exchange: identity.exchange.publicKey.slice() };
  }

  /**
   * This device's Ed25519 signer for sync: the identity key imported into WebCrypto as a non-extractable key
   * (the seed copy is wiped at once); it refuses to sign once the session is locked.
   */
  async deviceSigner(): Promise<DeviceSigner> {
    const { signing } = this.requireKeys().identity;
    const seed = signing.secretKey.slice(0, 32);
    try {
      return await importEd25519Signer(seed, signing.publicKey, () => !this.locked);
    } finally {
      wipeBytes(seed);
    }
  }

  /** The code another device pastes into "Link device" to share a vault with this one: public keys and the pairing's secret. */
  pairingCode(pairing: Pairing): string {
    const { identity } = this;
    return encodePairingCode({ signing: identity.signing, box: identity.exchange }, pairing);
  }

  /** Fetches and opens the vault keys other devices sealed to this one; the exchange key stays in the session. */
  async pullKeyGrants(
    input: Omit<PullKeyGrantsInput, 'device' | 'boxKeys'>,
  ): Promise<Result<PulledGrants, SyncFailure>> {
    const device = await this.deviceSigner();
    return pullKeyGrants({ ...input, device, boxKeys: this.requireKeys().identity.exchange });
  }

  private requireKeys(): ProfileKeys {
    if (this.keys === null)
      throw new VaultError('locked', 'The vault is locked. Unlock it with your passphrase to continue.');
    return this.keys;
  }

  /** Wipes every key and destroys every open document at once, then waits for already-sealed writes. */
  async lock(): Promise<void> {
    const keys = this.keys;
    if (keys === null) return;
    this.keys = null;
    wipeProfileKeys(keys);
    for (const key of this.vaultKeys.values()) wipeBytes(key);
    this.vaultKeys.clear();
    // Sync engines stop before the documents close, so nothing they apply is left unsaved.
    const listeners = [...this.lockListeners];
    this.lockListeners.clear();
    await Promise.allSettled(listeners.map(async (listener) => listener()));
    const open = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(open.map(async (vault) => (await vault).close()));
  }

  /**
   * Calls `listener` when the session locks, after the keys are wiped and before the documents close (sync
   * engines stop there); returns the unsubscribe function.
   */
  onLock(listener: () => Promise<void> | void): () => void {
    this.lockListeners.add(listener);
    return () => this.lockListeners.delete(listener);
  }

  /** Stores new settings (sealed under the master key); `invalid-settings` says which value to fix. */
  updateSettings(settings: Settings): Promise<Result<Settings, VaultFailure>> {
    return catchVaultError(async () => {
      const next = validateSettings(settings);
      const sealedSettings = sealSettings(next, this.requireKeys().masterKey, this.ctx.random);
      await this.ctx.db.profile.update(PROFILE_ROW_ID, { sealedSettings });
      this.currentSettings = next;
      return next;
    });
  }

  /**
   * Re-wraps the master key under a new passphrase; `wrong-passphrase` if `oldPassphrase` is not the current one.
   * With `rotateKeys`, a new master key replaces the old one and everything it wrapped is re-wrapped (see
   * docs/crypto.md for what that does and does not cover).
   */
  changePassphrase(
    oldPassphrase: string,
    newPassphrase: string,
    rotateKeys = false,
  ): Promise<Result<void, VaultFailure>> {
    return catchVaultError(() => this.rewrapProfile(oldPassphrase, newPassphrase, rotateKeys));
  }

  private async rewrapProfile(oldPassphrase: string, newPassphrase: string, rotateKeys: boolean): Promise<void> {
    this.requireKeys();
    const options = { random: this.ctx.random, ...this.ctx.kdf };
    const change = { oldPassphrase, newPassphrase, rotateKeys };
    const masterKey = await changeProfilePassphrase(this.ctx.db, change, options);
    if (masterKey === null) return;
    const keys = this.keys;
    if (keys === null) return wipeBytes(masterKey); // locked meanwhile: the next unlock reads the new record
    wipeBytes(keys.masterKey);
    this.keys = { ...keys, masterKey };
  }

  /** Creates an empty vault with a fresh key; its name is sealed. */
  createVault(name: string): Promise<Result<VaultSummary, VaultFailure>> {
    return catchVaultError(() => this.addVault(name));
  }

  private async addVault(name: string): Promise<VaultSummary> {
    const { masterKey } = this.requireKeys();
    const meta = { name: normalizeVaultName(name), createdAt: this.ctx.now() };
    const id = toHex(this.ctx.random(16));
    const vaultKey = generateVaultKey(this.ctx.random);
    const row: VaultRow = {
      id,
      epoch: 0,
      wrappedKey: wrapVaultKey(vaultKey, masterKey, id, 0, this.ctx.random),
      sealedMeta: sealVaultMeta(meta, vaultKey, id, 0, this.ctx.random),
    };
    await this.ctx.db.vaults.add(row);
    this.vaultKeys.set(id, vaultKey);
    return { id, name: meta.name, createdAt: meta.createdAt, problem: null };
  }

  /**
   * Adds a vault received from another device, under its id and key, with a local name. Returns null when
   * the vault is already on this device (nothing is changed).
   */
  importVault(vaultId: string, vaultKey: VaultKey, name: string): Promise<Result<VaultSummary | null, VaultFailure>> {
    return catchVaultError(() => this.addReceivedVault(vaultId, vaultKey, name));
  }

  private async addReceivedVault(vaultId: string, vaultKey: VaultKey, name: string): Promise<VaultSummary | null> {
    const { masterKey } = this.requireKeys();
    const meta = { name: normalizeVaultName(name), createdAt: this.ctx.now() };
    const { random, db } = this.ctx;
    const row: VaultRow = {
      id: vaultId,
      epoch: vaultKey.epoch,
      wrappedKey: wrapVaultKey(vaultKey.key, masterKey, vaultId, vaultKey.epoch, random),
      sealedMeta: sealVaultMeta(meta, vaultKey.key, vaultId, vaultKey.epoch, random),
    };
    const added = await db.transaction('rw', db.vaults, async () => {
      if (await db.vaults.get(vaultId)) return false;
      await db.vaults.add(row);
      return true;
    });
    if (!added) return null;
    this.vaultKeys.set(vaultId, vaultKey.key.slice());
    return { id: vaultId, name: meta.name, createdAt: meta.createdAt, problem: null };
  }

  /** A vault's sync settings and engine storage (sealed under its key); call `wipe()` on it when done. */
  syncState(vaultId: string): Promise<Result<VaultSyncState, VaultFailure>> {
    return catchVaultError(async () => {
      const row = await this.requireRow(vaultId);
      const vaultKey = this.vaultKeyOf(row);
      return new VaultSyncState({ db: this.ctx.db, vaultId, epoch: row.epoch, vaultKey, random: this.ctx.random });
    });
  }

  private vaultKeyOf(row: VaultRow): Uint8Array {
    const cached = this.vaultKeys.get(row.id);
    if (cached) return cached;
    const key = unwrapVaultKey(row.wrappedKey, this.requireKeys().masterKey, row.id, row.epoch);
    this.vaultKeys.set(row.id, key);
    return key;
  }

  private summarize(row: VaultRow): VaultSummary {
    try {
      const meta = openVaultMeta(row.sealedMeta, this.vaultKeyOf(row), row.id, row.epoch);
      return { id: row.id, name: meta.name, createdAt: meta.createdAt, problem: null };
    } catch (error) {
      const problem = toProblem(error, row.id);
      this.ctx.problems.add(problem);
      return { id: row.id, name: null, createdAt: null, problem };
    }
  }

  /** Every vault, by name; a damaged one is listed with `problem` set and the rest are unaffected. */
  listVaults(): Promise<Result<readonly VaultSummary[], VaultFailure>> {
    return catchVaultError(async () => {
      this.requireKeys();
      const rows = await this.ctx.db.vaults.toArray();
      const summaries = rows.map((row) => this.summarize(row));
      return summaries.sort(
        (a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.id.localeCompare(b.id),
      );
    });
  }

  private async requireRow(vaultId: string): Promise<VaultRow> {
    this.requireKeys();
    const row = await this.ctx.db.vaults.get(vaultId);
    if (!row)
      throw new VaultError('vault-not-found', 'This vault no longer exists on this device. Refresh the vault list.');
    return row;
  }

  /** Renames a vault (also the way to give a vault with a damaged name record a new one). */
  renameVault(vaultId: string, name: string): Promise<Result<void, VaultFailure>> {
    return catchVaultError(() => this.resealName(vaultId, name));
  }

  private async resealName(vaultId: string, name: string): Promise<void> {
    const newName = normalizeVaultName(name);
    const row = await this.requireRow(vaultId);
    const key = this.vaultKeyOf(row);
    let createdAt = this.ctx.now();
    try {
      createdAt = openVaultMeta(row.sealedMeta, key, row.id, row.epoch).createdAt;
    } catch {
      // The old record is damaged: the new name replaces it.
    }
    const sealedMeta = sealVaultMeta({ name: newName, createdAt }, key, row.id, row.epoch, this.ctx.random);
    await this.ctx.db.vaults.update(vaultId, { sealedMeta });
  }

  /** Deletes a vault with its log and snapshot, in one transaction. */
  deleteVault(vaultId: string): Promise<Result<void, VaultFailure>> {
    return catchVaultError(() => this.removeVault(vaultId));
  }

  private async removeVault(vaultId: string): Promise<void> {
    await this.requireRow(vaultId);
    const opening = this.open.get(vaultId);
    this.open.delete(vaultId);
    if (opening) await (await opening).close();
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

  /**
   * Opens a vault's document (the same instance while the session lasts). Fails with `damaged` when the vault's
   * key is unusable; damaged log records or snapshot are skipped and listed in the session's `problems`.
   */
  openVault(vaultId: string): Promise<Result<OpenVault, VaultFailure>> {
    return catchVaultError(() => this.openShared(vaultId));
  }

  private openShared(vaultId: string): Promise<OpenVault> {
    const existing = this.open.get(vaultId);
    if (existing) return existing;
    const opening = this.loadVault(vaultId);
    this.open.set(vaultId, opening); // set before any await: concurrent callers share one document
    opening.catch(() => {
      if (this.open.get(vaultId) === opening) this.open.delete(vaultId);
    });
    return opening;
  }

  private async loadVault(vaultId: string): Promise<OpenVault> {
    const row = await this.requireRow(vaultId);
    let vaultKey: Uint8Array;
    try {
      vaultKey = this.vaultKeyOf(row);
    } catch (error) {
      this.ctx.problems.add(toProblem(error, vaultId));
      throw error;
    }
    const problems = this.ctx.problems;
    return OpenVault.load({
      db: this.ctx.db,
      vaultId,
      epoch: row.epoch,
      vaultKey,
      random: this.ctx.random,
      compactEvery: this.ctx.compactEvery,
      report: (problem) => problems.add(problem),
      repaired: () => problems.clearVault(vaultId),
    });
  }

  /** Closes one vault's document (flushing its writes) without locking the session. */
  async closeVault(vaultId: string): Promise<void> {
    const opening = this.open.get(vaultId);
    this.open.delete(vaultId);
    if (opening) await (await opening).close();
  }
}
