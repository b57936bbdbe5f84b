import { isVaultError } from './vault-db';

/** A user-facing sentence for any failure of the store. */
export function describeError(error: unknown): string {
  if (isVaultError(error)) return error.message;
  if (error instanceof Error && error.name === 'QuotaExceededError') {
    return 'The disk is full: free some space, then try again. Nothing was changed.';
  }
  return 'Something went wrong. Nothing was changed; try again, and restart Regvault if it keeps happening.';
}
