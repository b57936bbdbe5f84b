import nacl from 'tweetnacl';
import { equalBytes, wipeBytes, type RandomBytes } from '../../../../shared/crypto/bytes';
import { calibrateKdf, createArgon2Measure, type KdfMeasure } from '../../../../shared/crypto/calibrate';
import { catchVaultError, isVaultError, VaultError, type VaultFailure } from '../../../../shared/crypto/errors';
import { KDF_DEFAULT_TARGET, normalizePassphrase, type KdfCost } from '../../../../shared/crypto/kdf';
import { parseRecoveryKey } from '../../../../shared/crypto/recovery-key';
import {
  createProfileKeys,
  resetPassphraseWithMasterKey,
  unlockProfileKeys,
  wipeProfileKeys,
  type ProfileKeys,
} from '../../../../shared/crypto/profile-keys';
import type { Result } from '../../../../shared/result';
import { remainingUnlockDelay, unlockDelayAfter } from './backoff';
import { DEFAULT_DB_NAME, PROFILE_ROW_ID, RegvaultDb, type ProfileRow } from './db';
import { DEFAULT_COMPACT_EVERY } from './open-vault';
import { unwrapWithRecovery } from './recovery';
import { ProblemLog, toProblem } from './problems';
import { DEFAULT_SETTINGS, openSettings, sealSettings, type Settings } from './records';
import { UnlockedProfile } from './unlocked-profile';

/** How a VaultStore is set up; the app passes nothing, tests pass what they need to control. */
export type VaultStoreOptions = Readonly<{
  /** IndexedDB database name; one per profile (default `regvault`). */
  dbName?: string;
  /** Randomness (default `nacl.randomBytes`, which uses the platform's CSPRNG). */
  random?: RandomBytes;
  /** Wall clock in epoch ms (default `Date.now`), for back-off and vault creation dates. */
  now?: () => number;
  /** KDF cost new profiles start from and older ones are upgraded to on unlock (default 64 MiB, t=3, p=1). */
  kdfTarget?: KdfCost;
  /** Times Argon2id to calibrate a new profile toward ~1 s; `false` skips calibration (default: real timing). */
  calibrate?: KdfMeasure | false;
  /** Fold a vault's log into a snapshot after this many updates (default 300). */
  compactEvery?: number;
  /** TEST ONLY: accept KDF parameters below the 64 MiB / t=3 floor so unit tests run fast. Never set in the app. */
  testOnlyKdfFloor?: KdfCost;
}>;

function throttled(retryAfterMs: number, afterWrongPassphrase: boolean): VaultError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new VaultError(
    afterWrongPassphrase ? 'wrong-passphrase' : 'unlock-throttled',
    (afterWrongPassphrase ? 'Wrong passphrase. ' : 'Too many wrong passphrases. ') +
      `Wait ${seconds} s before trying again, and check Caps Lock and the keyboard layout.`,
    { retryAfterMs },
  );
}

/** The entry point of the local vault: creates the profile, unlocks it into a `UnlockedProfile`, throttles guessing. */
export class VaultStore {
  private readonly db: RegvaultDb;
  private readonly random: RandomBytes;
  private readonly now: () => number;
  private readonly target: KdfCost;
  private readonly measure: KdfMeasure | false;
  private queue: Promise<unknown> = Promise.resolve();
  private session: UnlockedProfile | null = null;

  constructor(private readonly options: VaultStoreOptions = {}) {
    this.db = new RegvaultDb(options.dbName ?? DEFAULT_DB_NAME);
    this.random = options.random ?? nacl.randomBytes;
    this.now = options.now ?? Date.now;
    this.target = options.kdfTarget ?? options.testOnlyKdfFloor ?? KDF_DEFAULT_TARGET;
    this.measure = options.calibrate ?? createArgon2Measure(() => performance.now());
  }

  // One profile operation at a time, so parallel guesses cannot slip past the back-off counters.
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** True when this database holds a profile (show Unlock), false when not (show Create). */
  async hasProfile(): Promise<boolean> {
    return (await this.db.profile.count()) > 0;
  }

  /** Ms to wait before `unlock` may be tried (0 when it may be tried now). */
  async unlockDelay(): Promise<number> {
    const row = await this.db.profile.get(PROFILE_ROW_ID);
    return row ? remainingUnlockDelay(row.retryAfter, this.now()) : 0;
  }

  /** Creates the profile (calibrating the KDF once); `profile-exists` or `empty-passphrase` come back as data. */
  createProfile(passphrase: string): Promise<Result<UnlockedProfile, VaultFailure>> {
    return catchVaultError(() => this.serial(() => this.addProfile(passphrase)));
  }

  private async addProfile(passphrase: string): Promise<UnlockedProfile> {
    normalizePassphrase(passphrase);
    if (await this.hasProfile()) {
      throw new VaultError('profile-exists', 'A profile already exists on this device. Unlock it instead.');
    }
    const kdf = { random: this.random, target: this.target, testOnlyKdfFloor: this.options.testOnlyKdfFloor };
    const cost = this.measure === false ? this.target : await calibrateKdf(this.measure, { base: this.target });
    const { record, keys } = await createProfileKeys(passphrase, cost, kdf);
    const row: ProfileRow = {
      id: PROFILE_ROW_ID,
      ...record,
      sealedSettings: sealSettings(DEFAULT_SETTINGS, keys.masterKey, this.random),
      failedUnlocks: 0,
      retryAfter: 0,
    };
    try {
      await this.db.profile.add(row);
    } catch (error) {
      wipeProfileKeys(keys);
      throw error;
    }
    return this.startSession(keys, DEFAULT_SETTINGS, new ProblemLog());
  }

  /**
   * Unlocks the profile. A wrong passphrase fails with `wrong-passphrase` and changes nothing but the failure
   * counter; from the third failure on, `retryAfterMs` says how long unlock is refused (`unlock-throttled`).
   * Stored KDF parameters below the target are upgraded here.
   */
  unlock(passphrase: string): Promise<Result<UnlockedProfile, VaultFailure>> {
    return catchVaultError(() => this.serial(() => this.openProfile(passphrase)));
  }

  private async openProfile(passphrase: string): Promise<UnlockedProfile> {
    const row = await this.db.profile.get(PROFILE_ROW_ID);
    if (!row) throw new VaultError('no-profile', 'There is no profile on this device yet. Create one first.');
    const wait = remainingUnlockDelay(row.retryAfter, this.now());
    if (wait > 0) throw throttled(wait, false);
    const kdf = { random: this.random, target: this.target, testOnlyKdfFloor: this.options.testOnlyKdfFloor };
    let unlocked;
    try {
      unlocked = await unlockProfileKeys(row, passphrase, kdf);
    } catch (error) {
      if (isVaultError(error, 'wrong-passphrase')) await this.recordFailure(row, error);
      throw error;
    }
    const changes: Partial<ProfileRow> = {};
    if (row.failedUnlocks !== 0 || row.retryAfter !== 0) Object.assign(changes, { failedUnlocks: 0, retryAfter: 0 });
    if (unlocked.upgraded)
      Object.assign(changes, { kdf: unlocked.upgraded.kdf, wrappedMasterKey: unlocked.upgraded.wrappedMasterKey });
    if (Object.keys(changes).length > 0) await this.updateIfUnchanged(row, changes);
    const problems = new ProblemLog();
    return this.startSession(unlocked.keys, this.readSettings(row, unlocked.keys, problems), problems);
  }

  /**
   * "Reset passphrase with recovery key": the recovery key opens the master key, which is wrapped under the new
   * passphrase (the old one stops working); everything else stays. `invalid-recovery-key` for a typo,
   * `wrong-recovery-key` for a key this profile no longer (or never) had; nothing changes then.
   */
  resetWithRecoveryKey(recoveryKey: string, newPassphrase: string): Promise<Result<UnlockedProfile, VaultFailure>> {
    return catchVaultError(() => this.serial(() => this.resetProfile(recoveryKey, newPassphrase)));
  }

  private async resetProfile(typedKey: string, newPassphrase: string): Promise<UnlockedProfile> {
    normalizePassphrase(newPassphrase);
    const row = await this.db.profile.get(PROFILE_ROW_ID);
    if (!row) throw new VaultError('no-profile', 'There is no profile on this device yet. Create one first.');
    const recoveryKey = parseRecoveryKey(typedKey);
    let masterKey: Uint8Array;
    try {
      masterKey = unwrapWithRecovery(row.recovery, recoveryKey);
    } finally {
      wipeBytes(recoveryKey);
    }
    const kdf = { random: this.random, target: this.target, testOnlyKdfFloor: this.options.testOnlyKdfFloor };
    let reset;
    try {
      reset = await resetPassphraseWithMasterKey(row, masterKey, newPassphrase, kdf);
    } catch (error) {
      wipeBytes(masterKey);
      throw error;
    }
    const changes = {
      kdf: reset.record.kdf,
      wrappedMasterKey: reset.record.wrappedMasterKey,
      failedUnlocks: 0,
      retryAfter: 0,
    };
    try {
      await this.updateIfUnchanged(row, changes, true);
    } catch (error) {
      wipeProfileKeys(reset.keys);
      throw error;
    }
    return this.startSession(reset.keys, this.readSettings(row, reset.keys), new ProblemLog());
  }

  private readSettings(row: ProfileRow, keys: ProfileKeys, problems?: ProblemLog): Settings {
    try {
      return openSettings(row.sealedSettings, keys.masterKey);
    } catch (error) {
      problems?.add(toProblem(error, null));
      return DEFAULT_SETTINGS;
    }
  }

  private async recordFailure(row: ProfileRow, error: VaultError): Promise<never> {
    const failedUnlocks = row.failedUnlocks + 1;
    const delay = unlockDelayAfter(failedUnlocks);
    await this.db.profile.update(PROFILE_ROW_ID, { failedUnlocks, retryAfter: delay > 0 ? this.now() + delay : 0 });
    throw delay > 0 ? throttled(delay, true) : error;
  }

  // Writes only if the master key was not re-wrapped meanwhile (another window changing the passphrase);
  // `required` makes that a failure instead of a silent skip.
  private async updateIfUnchanged(row: ProfileRow, changes: Partial<ProfileRow>, required = false): Promise<void> {
    await this.db.transaction('rw', this.db.profile, async () => {
      const current = await this.db.profile.get(PROFILE_ROW_ID);
      if (current && equalBytes(current.wrappedMasterKey, row.wrappedMasterKey)) {
        await this.db.profile.update(PROFILE_ROW_ID, changes);
      } else if (required) {
        throw new VaultError('write-failed', 'The passphrase was changed in another window meanwhile. Try again.');
      }
    });
  }

  private async startSession(keys: ProfileKeys, settings: Settings, problems: ProblemLog): Promise<UnlockedProfile> {
    await this.session?.lock();
    this.session = new UnlockedProfile({
      db: this.db,
      keys,
      settings,
      random: this.random,
      now: this.now,
      kdf: { target: this.target, testOnlyKdfFloor: this.options.testOnlyKdfFloor },
      compactEvery: this.options.compactEvery ?? DEFAULT_COMPACT_EVERY,
      problems,
    });
    return this.session;
  }

  /** Locks any session and closes the database connection. */
  async close(): Promise<void> {
    await this.session?.lock();
    this.session = null;
    this.db.close();
  }
}
