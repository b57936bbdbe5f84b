import type * as Y from 'yjs';
import { encodeBase64, wipeBytes } from '../../../../shared/crypto/bytes';
import { DEFAULT_HISTORY_LIMIT, trimSecretHistory } from '../../../../shared/entries';
import { catchVaultError, VaultError, type VaultFailure } from '../../../../shared/crypto/errors';
import { wipeProfileKeys, type ProfileKeys } from '../../../../shared/crypto/profile-keys';
import type { Result } from '../../../../shared/result';
import type { VaultKey } from '../../../../shared/sync/envelope';
import { encodePairingCode, type Pairing } from '../../../../shared/sync/pairing';
import { pullKeyGrants, type PulledGrants, type PullKeyGrantsInput } from '../../../../shared/sync/link';
import type { BoxKeyPair, DeviceSigner } from '../../../../shared/sync/ports';
import type { SyncFailure } from '../../../../shared/sync/codes';
import { importEd25519Signer } from '../sync/browser-ports';
import { PROFILE_ROW_ID } from './db';
import { openRecoveryKey, storeNewRecoveryKey } from './recovery';
import { formatRecoveryKey } from '../../../../shared/crypto/recovery-key';
import { pickCost, type KdfCheckOptions, type KdfCost } from '../../../../shared/crypto/kdf';
import { OpenVault } from './open-vault';
import { changeProfilePassphrase } from './rotate-keys';
import { toProblem, type StoreProblem } from './problems';
import { sealSettings, validateSettings, type Settings } from './records';
import { VaultSyncState } from './sync-state';
import { VaultRows, type SessionContext, type VaultSummary } from './vault-rows';

/** The public halves of the profile's identity keys (for sharing, later). */
export type IdentityPublicKeys = Readonly<{ signing: Uint8Array; exchange: Uint8Array }>;

/** An unlocked profile: the only holder of its keys, and the owner of every open vault's Y.Doc. */
export class UnlockedProfile {
  private keys: ProfileKeys | null;
  private currentSettings: Settings;
  private readonly rows: VaultRows;
  private readonly open = new Map<string, Promise<OpenVault>>();
  private readonly lockListeners = new Set<() => Promise<void> | void>();
  private settingsTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: SessionContext) {
    this.keys = ctx.keys;
    this.currentSettings = ctx.settings;
    this.rows = new VaultRows(ctx, () => this.requireKeys().masterKey);
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

  /**
   * This device's X25519 key pair, for a sync engine to open the grants of new key epochs. The arrays are the
   * session's own: locking wipes them (engines stop on lock first).
   */
  boxKeys(): BoxKeyPair {
    return this.requireKeys().identity.exchange;
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
    this.rows.wipeKeys();
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

  /**
   * Stores new settings (sealed under the master key); `invalid-settings` says which value to fix. This device's
   * record of entry use (`lastUse`) is kept when `settings` does not carry it: it is written often, by its own
   * `patchSettings`, and a caller that read the settings before that write must not drop it.
   */
  updateSettings(settings: Settings): Promise<Result<Settings, VaultFailure>> {
    return this.patchSettings((current) =>
      settings.lastUse === undefined && current.lastUse !== undefined
        ? { ...settings, lastUse: current.lastUse }
        : settings,
    );
  }

  /**
   * Changes the settings from what is stored when the change's turn comes: writes are queued, so two changes made at
   * once (a refresh command and a last-use record) both land.
   */
  patchSettings(change: (current: Settings) => Settings): Promise<Result<Settings, VaultFailure>> {
    const write = () =>
      catchVaultError(async () => {
        const next = validateSettings(change(this.currentSettings));
        const sealedSettings = sealSettings(next, this.requireKeys().masterKey, this.ctx.random);
        await this.ctx.db.profile.update(PROFILE_ROW_ID, { sealedSettings });
        this.currentSettings = next;
        return next;
      });
    const next = this.settingsTail.then(write, write);
    this.settingsTail = next.catch(() => undefined);
    return next;
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

  /**
   * Makes a new recovery key (shown once: the caller displays the returned text and forgets it). It replaces
   * any older one, which from now on opens nothing.
   */
  createRecoveryKey(): Promise<Result<string, VaultFailure>> {
    return catchVaultError(async () => {
      const key = await storeNewRecoveryKey(this.ctx.db, this.requireKeys().masterKey, this.ctx.random, this.ctx.now());
      try {
        return formatRecoveryKey(key);
      } finally {
        wipeBytes(key);
      }
    });
  }

  /** When the current recovery key was made, or null when the profile has none. */
  async recoveryKeyCreatedAt(): Promise<number | null> {
    this.requireKeys();
    return (await this.ctx.db.profile.get(PROFILE_ROW_ID))?.recovery?.createdAt ?? null;
  }

  /** The profile's recovery key itself, for sealing backups with it; null when none. Wipe it after use. */
  async recoveryKey(): Promise<Uint8Array | null> {
    const masterKey = this.requireKeys().masterKey;
    return openRecoveryKey((await this.ctx.db.profile.get(PROFILE_ROW_ID))?.recovery, masterKey);
  }

  /** The Argon2id cost of this profile's passphrase (backups under a passphrase use at least the same). */
  async kdfCost(): Promise<KdfCost> {
    this.requireKeys();
    const row = await this.ctx.db.profile.get(PROFILE_ROW_ID);
    return row ? pickCost(row.kdf) : this.ctx.kdf.target;
  }

  /** The KDF options of this session (the test-only floor, if set). */
  get kdfOptions(): KdfCheckOptions {
    return this.ctx.kdf.testOnlyKdfFloor ? { testOnlyKdfFloor: this.ctx.kdf.testOnlyKdfFloor } : {};
  }

  /** Creates an empty vault with a fresh key; its name is sealed. */
  createVault(name: string): Promise<Result<VaultSummary, VaultFailure>> {
    return catchVaultError(() => this.rows.create(name));
  }

  /**
   * Adds a vault received from another device, under its id and key, with a local name. Returns null when
   * the vault is already on this device (nothing is changed).
   */
  importVault(vaultId: string, vaultKey: VaultKey, name: string): Promise<Result<VaultSummary | null, VaultFailure>> {
    return catchVaultError(() => this.rows.receive(vaultId, vaultKey, name));
  }

  /** A vault's sync settings and engine storage (sealed under its key); call `wipe()` on it when done. */
  syncState(vaultId: string): Promise<Result<VaultSyncState, VaultFailure>> {
    return catchVaultError(async () => {
      const row = await this.rows.require(vaultId);
      const vaultKey = this.rows.keyOf(row);
      return new VaultSyncState({ db: this.ctx.db, vaultId, epoch: row.epoch, vaultKey, random: this.ctx.random });
    });
  }

  /** Every vault, by name; a damaged one is listed with `problem` set and the rest are unaffected. */
  listVaults(): Promise<Result<readonly VaultSummary[], VaultFailure>> {
    return catchVaultError(() => this.rows.list());
  }

  /** Renames a vault (also the way to give a vault with a damaged name record a new one). */
  renameVault(vaultId: string, name: string): Promise<Result<void, VaultFailure>> {
    return catchVaultError(() => this.rows.rename(vaultId, name));
  }

  /** Deletes a vault with its log and snapshot, in one transaction. */
  deleteVault(vaultId: string): Promise<Result<void, VaultFailure>> {
    return catchVaultError(async () => {
      await this.rows.require(vaultId);
      await this.closeVault(vaultId);
      await this.rows.delete(vaultId);
    });
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
    const row = await this.rows.require(vaultId);
    let vaultKey: Uint8Array;
    try {
      vaultKey = this.rows.keyOf(row);
    } catch (error) {
      this.ctx.problems.add(toProblem(error, vaultId));
      throw error;
    }
    const problems = this.ctx.problems;
    // Previous secrets beyond the profile's limit leave the stored document at compaction — here only in vaults
    // that do not sync (a synced vault's peers would see the cut as this device's edit; there the limit applies
    // when a secret is rotated).
    const synced = (await this.ctx.db.syncState.get(vaultId))?.sealedCursor !== undefined;
    const actor = encodeBase64(this.identity.signing);
    const trim = (doc: Y.Doc) => {
      const ctx = { now: this.ctx.now, newId: () => crypto.randomUUID(), actor };
      trimSecretHistory(doc, this.currentSettings.historyLimit ?? DEFAULT_HISTORY_LIMIT, ctx);
    };
    return OpenVault.load({
      ...(synced ? {} : { beforeCompact: trim }),
      db: this.ctx.db,
      vaultId,
      epoch: row.epoch,
      vaultKey,
      random: this.ctx.random,
      compactEvery: this.ctx.compactEvery,
      report: (problem) => problems.add(problem),
      repaired: () => problems.clearVault(vaultId),
      deviceKey: this.requireKeys().identity.signing.publicKey,
    });
  }

  /** Closes one vault's document (flushing its writes) without locking the session. */
  async closeVault(vaultId: string): Promise<void> {
    const opening = this.open.get(vaultId);
    this.open.delete(vaultId);
    if (opening) await (await opening).close();
  }
}
