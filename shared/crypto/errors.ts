// The one numbered list of vault errors (crypto and local store). Numbers are stable: never reuse one.
// Inside a module a VaultError may be thrown and caught; at a module boundary it is returned as a
// `Result<T, VaultFailure>` (see `catchVaultError`).
import { failWith, ok, type Failure, type Result } from '../result';

/** Every vault error code with its stable number. */
export const vaultErrorCodes = {
  'wrong-passphrase': 101,
  'empty-passphrase': 102,
  'unlock-throttled': 103,
  'weak-kdf-params': 201,
  'invalid-kdf-params': 202,
  damaged: 301,
  'no-profile': 401,
  'profile-exists': 402,
  locked: 403,
  'vault-not-found': 404,
  'invalid-vault-name': 405,
  'invalid-settings': 406,
  'write-failed': 501,
  'no-recovery-key': 601,
  'invalid-recovery-key': 602,
  'wrong-recovery-key': 603,
  'not-a-backup': 701,
  'backup-version': 702,
  'backup-truncated': 703,
  'backup-wrong-key': 704,
  'backup-damaged': 705,
} as const;

/** A vault error code (see `vaultErrorCodes`). */
export type VaultErrorCode = keyof typeof vaultErrorCodes;

/** What a `damaged` error is about: the profile's keys or settings, or a vault's key, name, log, snapshot or sync. */
export type DamagedSubject = Readonly<{
  what:
    | 'profile-identity'
    | 'profile-settings'
    | 'vault-key'
    | 'vault-meta'
    | 'vault-snapshot'
    | 'vault-update'
    | 'vault-sync';
  vaultId?: string;
  seq?: number;
}>;

/** Details some errors carry: the damaged subject, or how long until unlock may be tried again. */
export type VaultErrorDetails = Readonly<{ subject?: DamagedSubject; retryAfterMs?: number; cause?: unknown }>;

/** A typed vault failure: a stable code and number, and a message saying what to do. */
export class VaultError extends Error {
  readonly code: VaultErrorCode;
  readonly number: number;
  readonly subject: DamagedSubject | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: VaultErrorCode, message: string, details: VaultErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VaultError';
    this.code = code;
    this.number = vaultErrorCodes[code];
    this.subject = details.subject;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** True when `error` is a VaultError, optionally with the given code. */
export function isVaultError(error: unknown, code?: VaultErrorCode): error is VaultError {
  return error instanceof VaultError && (code === undefined || error.code === code);
}

/** Names a damaged subject in words for a user-facing message. */
export function describeSubject(subject: DamagedSubject): string {
  const vault = subject.vaultId === undefined ? '' : ` of vault ${subject.vaultId}`;
  switch (subject.what) {
    case 'profile-identity':
      return "the profile's identity keys";
    case 'profile-settings':
      return "the profile's settings";
    case 'vault-key':
      return `the key${vault}`;
    case 'vault-meta':
      return `the name and details${vault}`;
    case 'vault-snapshot':
      return `the snapshot${vault} (covering changes up to #${subject.seq ?? 0})`;
    case 'vault-update':
      return `change #${subject.seq ?? 0}${vault}`;
    case 'vault-sync':
      return `the sync state${vault}`;
  }
}

/** Builds the `damaged` error for a subject, naming it in the message. */
export function damagedError(subject: DamagedSubject, cause?: unknown): VaultError {
  return new VaultError(
    'damaged',
    `Stored data is damaged: ${describeSubject(subject)} failed its integrity check and was not used. ` +
      (subject.what === 'vault-sync'
        ? "The vault's entries are not affected; turn sync off and on again to start over."
        : 'Everything else still opens; restore this profile from a backup or sync the vault again to recover it.'),
    { subject, cause },
  );
}

/** A vault failure as data (the one Result shape): code, stable number, message, and the details some codes carry. */
export type VaultFailure = Failure<VaultErrorCode> &
  Readonly<{ number: number; subject?: DamagedSubject; retryAfterMs?: number }>;

/** The failure a VaultError stands for. */
export function toVaultFailure(error: VaultError): VaultFailure {
  const { code, number, message, subject, retryAfterMs } = error;
  return {
    code,
    number,
    message,
    ...(subject === undefined ? {} : { subject }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Runs a store operation and returns its VaultError as a failed Result; anything else (a bug) still throws. */
export async function catchVaultError<T>(task: () => Promise<T>): Promise<Result<T, VaultFailure>> {
  try {
    return ok(await task());
  } catch (error) {
    if (isVaultError(error)) return failWith(toVaultFailure(error));
    throw error;
  }
}
