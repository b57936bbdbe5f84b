import nacl from 'tweetnacl';
import { concatBytes, wipeBytes, type RandomBytes } from './bytes';
import { damagedError, VaultError } from './errors';
import {
  createKdfParams,
  deriveKeyFromPassphrase,
  isBelowCost,
  KDF_DEFAULT_TARGET,
  maxCost,
  normalizePassphrase,
  type KdfCheckOptions,
  type KdfCost,
  type KdfParams,
} from './kdf';
import {
  openRecord,
  sealRecord,
  tryOpenRecord,
  unwrapKey,
  wrapKey,
  type RecordBinding,
  type SealedRecord,
} from './seal';

/** The profile's long-term key pairs: Ed25519 for signing, X25519 for key exchange. */
export type IdentityKeys = Readonly<{ signing: nacl.SignKeyPair; exchange: nacl.BoxKeyPair }>;

/** Everything an unlocked profile holds in memory; wipe it with `wipeProfileKeys` on lock. */
export type ProfileKeys = Readonly<{ masterKey: Uint8Array; identity: IdentityKeys }>;

/** The profile's key material as stored: KDF parameters and ciphertext only. */
export type WrappedProfileKeys = Readonly<{
  kdf: KdfParams;
  wrappedMasterKey: SealedRecord;
  wrappedIdentity: SealedRecord;
}>;

/** Options of the profile key functions: the randomness source, the KDF target cost, the test-only floor. */
export type ProfileKeyOptions = KdfCheckOptions &
  Readonly<{
    random: RandomBytes;
    /** The cost stored parameters are upgraded to; defaults to `KDF_DEFAULT_TARGET`. */
    target?: KdfCost;
  }>;

/** The result of unlocking: the keys, and a re-wrapped record when the KDF parameters were upgraded. */
export type UnlockedProfile = Readonly<{ keys: ProfileKeys; upgraded: WrappedProfileKeys | null }>;

const KEY_BYTES = nacl.secretbox.keyLength;

function wrongPassphrase(): VaultError {
  return new VaultError(
    'wrong-passphrase',
    'Wrong passphrase. Check Caps Lock and the keyboard layout, then try again.',
  );
}

async function wrapMasterKey(
  masterKey: Uint8Array,
  passphrase: string,
  cost: KdfCost,
  options: ProfileKeyOptions,
): Promise<Pick<WrappedProfileKeys, 'kdf' | 'wrappedMasterKey'>> {
  const kdf = createKdfParams(cost, options.random, options);
  const kek = await deriveKeyFromPassphrase(passphrase, kdf, options);
  try {
    return { kdf, wrappedMasterKey: wrapKey(masterKey, kek, { kind: 'master-key' }, options.random) };
  } finally {
    wipeBytes(kek);
  }
}

/** Derives the key-encryption key and unwraps the master key; `wrong-passphrase` if it does not open. */
async function unwrapMasterKey(
  record: WrappedProfileKeys,
  passphrase: string,
  options: KdfCheckOptions,
): Promise<Uint8Array> {
  const kek = await deriveKeyFromPassphrase(passphrase, record.kdf, options);
  const masterKey = tryOpenRecord(record.wrappedMasterKey, kek, { kind: 'master-key' });
  wipeBytes(kek);
  if (masterKey === null) throw wrongPassphrase();
  if (masterKey.length !== KEY_BYTES) throw damagedError({ what: 'profile-identity' });
  return masterKey;
}

function openIdentity(wrappedIdentity: SealedRecord, masterKey: Uint8Array): IdentityKeys {
  const plain = openRecord(wrappedIdentity, masterKey, { kind: 'identity-keys' });
  if (plain.length !== 2 * KEY_BYTES) throw damagedError({ what: 'profile-identity' });
  const identity = {
    signing: nacl.sign.keyPair.fromSeed(plain.subarray(0, KEY_BYTES)),
    exchange: nacl.box.keyPair.fromSecretKey(plain.subarray(KEY_BYTES)),
  };
  wipeBytes(plain);
  return identity;
}

/** Creates a profile's keys: a random master key wrapped under the passphrase, and identity keys under the master key. */
export async function createProfileKeys(
  passphrase: string,
  cost: KdfCost,
  options: ProfileKeyOptions,
): Promise<Readonly<{ record: WrappedProfileKeys; keys: ProfileKeys }>> {
  normalizePassphrase(passphrase);
  const masterKey = options.random(KEY_BYTES);
  const signSeed = options.random(KEY_BYTES);
  const boxSecret = options.random(KEY_BYTES);
  const identityPlain = concatBytes([signSeed, boxSecret]);
  // fromSeed / fromSecretKey copy their input, so every temporary here can be wiped.
  const signing = nacl.sign.keyPair.fromSeed(signSeed);
  const exchange = nacl.box.keyPair.fromSecretKey(boxSecret);
  const wrappedIdentity = sealRecord(identityPlain, masterKey, { kind: 'identity-keys' }, options.random);
  wipeBytes(identityPlain, signSeed, boxSecret);
  const wrapped = await wrapMasterKey(
    masterKey,
    passphrase,
    maxCost(cost, options.target ?? KDF_DEFAULT_TARGET),
    options,
  );
  return { record: { ...wrapped, wrappedIdentity }, keys: { masterKey, identity: { signing, exchange } } };
}

/**
 * Unlocks a profile: checks the stored KDF parameters, derives, unwraps the master and identity keys. When the
 * stored parameters are below `options.target`, re-wraps the master key under upgraded parameters and returns
 * the new record as `upgraded` (the caller stores it).
 */
export async function unlockProfileKeys(
  record: WrappedProfileKeys,
  passphrase: string,
  options: ProfileKeyOptions,
): Promise<UnlockedProfile> {
  const masterKey = await unwrapMasterKey(record, passphrase, options);
  let identity: IdentityKeys | null = null;
  try {
    identity = openIdentity(record.wrappedIdentity, masterKey);
    const target = options.target ?? KDF_DEFAULT_TARGET;
    let upgraded: WrappedProfileKeys | null = null;
    if (isBelowCost(record.kdf, target)) {
      const rewrapped = await wrapMasterKey(masterKey, passphrase, maxCost(record.kdf, target), options);
      upgraded = { ...record, ...rewrapped };
    }
    return { keys: { masterKey, identity }, upgraded };
  } catch (error) {
    wipeBytes(masterKey, identity?.signing.secretKey, identity?.exchange.secretKey);
    throw error;
  }
}

/** Checks `oldPassphrase` and re-wraps the master key under `newPassphrase` (fresh salt); nothing else changes. */
export async function changePassphrase(
  record: WrappedProfileKeys,
  oldPassphrase: string,
  newPassphrase: string,
  options: ProfileKeyOptions,
): Promise<WrappedProfileKeys> {
  normalizePassphrase(newPassphrase);
  const masterKey = await unwrapMasterKey(record, oldPassphrase, options);
  try {
    const cost = maxCost(record.kdf, options.target ?? KDF_DEFAULT_TARGET);
    return { ...record, ...(await wrapMasterKey(masterKey, newPassphrase, cost, options)) };
  } finally {
    wipeBytes(masterKey);
  }
}

/**
 * A master-key rotation computed but not yet stored: the new profile record (fresh master key wrapped under the
 * new passphrase, identity keys re-wrapped under it), a function that moves any other record sealed under the old
 * master key to the new one (settings, vault keys), and `finish` to wipe the old key once stored.
 */
export type MasterKeyRotation = Readonly<{
  record: WrappedProfileKeys;
  masterKey: Uint8Array;
  reseal: (sealed: SealedRecord, binding: RecordBinding) => SealedRecord;
  finish: () => void;
}>;

/**
 * Checks `oldPassphrase`, draws a new master key and wraps it under `newPassphrase`. Only the wrapping changes:
 * the identity keys and vault keys stay the same (other devices know them), re-wrapped under the new master key.
 */
export async function rotateMasterKey(
  record: WrappedProfileKeys,
  oldPassphrase: string,
  newPassphrase: string,
  options: ProfileKeyOptions,
): Promise<MasterKeyRotation> {
  normalizePassphrase(newPassphrase);
  const oldKey = await unwrapMasterKey(record, oldPassphrase, options);
  const masterKey = options.random(KEY_BYTES);
  const reseal = (sealed: SealedRecord, binding: RecordBinding): SealedRecord => {
    const plain = openRecord(sealed, oldKey, binding);
    try {
      return sealRecord(plain, masterKey, binding, options.random);
    } finally {
      wipeBytes(plain);
    }
  };
  try {
    const cost = maxCost(record.kdf, options.target ?? KDF_DEFAULT_TARGET);
    const wrapped = await wrapMasterKey(masterKey, newPassphrase, cost, options);
    const wrappedIdentity = reseal(record.wrappedIdentity, { kind: 'identity-keys' });
    return { record: { ...wrapped, wrappedIdentity }, masterKey, reseal, finish: () => wipeBytes(oldKey) };
  } catch (error) {
    wipeBytes(oldKey, masterKey);
    throw error;
  }
}

/**
 * Opens a profile with its master key obtained another way (the recovery key) and wraps that master key under a
 * new passphrase (fresh salt, at least the stored cost): "Reset passphrase with recovery key".
 */
export async function resetPassphraseWithMasterKey(
  record: WrappedProfileKeys,
  masterKey: Uint8Array,
  newPassphrase: string,
  options: ProfileKeyOptions,
): Promise<Readonly<{ record: WrappedProfileKeys; keys: ProfileKeys }>> {
  normalizePassphrase(newPassphrase);
  const identity = openIdentity(record.wrappedIdentity, masterKey);
  const cost = maxCost(record.kdf, options.target ?? KDF_DEFAULT_TARGET);
  const wrapped = await wrapMasterKey(masterKey, newPassphrase, cost, options);
  return { record: { ...record, ...wrapped }, keys: { masterKey, identity } };
}

/** Zeroes every secret of an unlocked profile. */
export function wipeProfileKeys(keys: ProfileKeys): void {
  wipeBytes(keys.masterKey, keys.identity.signing.secretKey, keys.identity.exchange.secretKey);
}

/** A fresh random 32-byte vault key. */
export function generateVaultKey(random: RandomBytes): Uint8Array {
  return random(KEY_BYTES);
}

/** Wraps a vault key under the master key, bound to the vault id and epoch. */
export function wrapVaultKey(
  vaultKey: Uint8Array,
  masterKey: Uint8Array,
  vaultId: string,
  epoch: number,
  random: RandomBytes,
): SealedRecord {
  return wrapKey(vaultKey, masterKey, { kind: 'vault-key', vaultId, epoch }, random);
}

/** Unwraps a vault key; throws `damaged` naming the vault if it was altered or belongs to another vault or epoch. */
export function unwrapVaultKey(
  wrapped: SealedRecord,
  masterKey: Uint8Array,
  vaultId: string,
  epoch: number,
): Uint8Array {
  return unwrapKey(wrapped, masterKey, { kind: 'vault-key', vaultId, epoch });
}
