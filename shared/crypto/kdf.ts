import { argon2id } from 'hash-wasm';
import { encodeUtf8, wipeBytes, type RandomBytes } from './bytes';
import { VaultError } from './errors';

/** How much work Argon2id does: memory in KiB, passes, lanes. */
export type KdfCost = Readonly<{ memoryKiB: number; iterations: number; parallelism: number }>;

/** Argon2id parameters as stored with the profile (cleartext: salts and parameters are not secret). */
export type KdfParams = Readonly<{
  algorithm: 'argon2id';
  version: 0x13;
  salt: Uint8Array;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}>;

/** Options of every function that reads stored KDF parameters. */
export type KdfCheckOptions = Readonly<{
  /** TEST ONLY: accept parameters below `KDF_FLOOR` so unit tests run fast. Never set in the app. */
  testOnlyKdfFloor?: KdfCost;
}>;

/** The weakest parameters ever accepted (DESIGN §4: 64 MiB, t=3, p=1); weaker stored params mean tampering. */
export const KDF_FLOOR: KdfCost = Object.freeze({ memoryKiB: 65536, iterations: 3, parallelism: 1 });

/** What new profiles get before calibration, and what older profiles are upgraded to on unlock. */
export const KDF_DEFAULT_TARGET: KdfCost = KDF_FLOOR;

/** Length of a new KDF salt in bytes. */
export const KDF_SALT_BYTES = 16;

// Upper bounds: a tampered profile must not be able to hang or exhaust the renderer at unlock.
const MAX_MEMORY_KIB = 2 * 1024 * 1024;
const MAX_ITERATIONS = 64;
const MAX_PARALLELISM = 16;

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** True when `cost` is weaker than `target` in any dimension. */
export function isBelowCost(cost: KdfCost, target: KdfCost): boolean {
  return (
    cost.memoryKiB < target.memoryKiB || cost.iterations < target.iterations || cost.parallelism < target.parallelism
  );
}

/** The cost that meets both `a` and `b` in every dimension. */
export function maxCost(a: KdfCost, b: KdfCost): KdfCost {
  return {
    memoryKiB: Math.max(a.memoryKiB, b.memoryKiB),
    iterations: Math.max(a.iterations, b.iterations),
    parallelism: Math.max(a.parallelism, b.parallelism),
  };
}

// Checks stored KDF parameters: well-formed (`invalid-kdf-params`) and not below the floor (`weak-kdf-params`).
function assertKdfParams(params: KdfParams, options: KdfCheckOptions = {}): void {
  const floor = options.testOnlyKdfFloor ?? KDF_FLOOR;
  const wellFormed =
    params.algorithm === 'argon2id' &&
    params.version === 0x13 &&
    params.salt instanceof Uint8Array &&
    params.salt.length >= KDF_SALT_BYTES &&
    params.salt.length <= 64 &&
    isIntIn(params.memoryKiB, 8 * Math.max(1, params.parallelism), MAX_MEMORY_KIB) &&
    isIntIn(params.iterations, 1, MAX_ITERATIONS) &&
    isIntIn(params.parallelism, 1, MAX_PARALLELISM);
  if (!wellFormed) {
    throw new VaultError(
      'invalid-kdf-params',
      "The profile's key-derivation parameters are malformed or out of range, so the profile was not unlocked. " +
        'Restore the profile from a backup.',
    );
  }
  if (isBelowCost(params, floor)) {
    throw new VaultError(
      'weak-kdf-params',
      "The profile's key-derivation parameters are weaker than Regvault ever writes, which means the profile was " +
        'tampered with. It was not unlocked; restore it from a backup.',
    );
  }
}

/** Fresh parameters with a random salt at `cost` (which must meet the floor). */
export function createKdfParams(cost: KdfCost, random: RandomBytes, options: KdfCheckOptions = {}): KdfParams {
  const params: KdfParams = { algorithm: 'argon2id', version: 0x13, salt: random(KDF_SALT_BYTES), ...pickCost(cost) };
  assertKdfParams(params, options);
  return params;
}

/** The cost part of stored parameters. */
export function pickCost(cost: KdfCost): KdfCost {
  return { memoryKiB: cost.memoryKiB, iterations: cost.iterations, parallelism: cost.parallelism };
}

/** Rejects an empty passphrase and returns it NFC-normalised, so the same words typed on any OS give one key. */
export function normalizePassphrase(passphrase: string): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new VaultError('empty-passphrase', 'Enter a passphrase.');
  }
  return passphrase.normalize('NFC');
}

/** Derives the 32-byte key-encryption key from a passphrase with Argon2id, after checking the parameters. */
export async function deriveKeyFromPassphrase(
  passphrase: string,
  params: KdfParams,
  options: KdfCheckOptions = {},
): Promise<Uint8Array> {
  assertKdfParams(params, options);
  const password = encodeUtf8(normalizePassphrase(passphrase));
  try {
    return await argon2id({
      password,
      salt: params.salt,
      memorySize: params.memoryKiB,
      iterations: params.iterations,
      parallelism: params.parallelism,
      hashLength: 32,
      outputType: 'binary',
    });
  } finally {
    wipeBytes(password);
  }
}
