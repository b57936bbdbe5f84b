// The renderer's local vault store (DESIGN §4): what the Create / Unlock / Lock / Change passphrase screens use.

export { FREE_UNLOCK_ATTEMPTS, MAX_UNLOCK_DELAY_MS, unlockDelayAfter } from './backoff';
export { DEFAULT_DB_NAME, RegvaultDb } from './db';
export { DEFAULT_COMPACT_EVERY, OpenVault } from './open-vault';
export type { StoreProblem } from './problems';
export { DEFAULT_SETTINGS, MAX_VAULT_NAME_LENGTH, type Settings } from './records';
export { VaultSession, type IdentityPublicKeys, type VaultSummary } from './session';
export { DEFAULT_RELAY_URL, DEFAULT_SYNC_SETTINGS, validateSyncSettings, type SyncSettings } from './sync-records';
export { VaultSyncState } from './sync-state';
export { VaultStore, type VaultStoreOptions } from './vault-store';
export { isVaultError, VaultError, vaultErrorCodes, type VaultErrorCode } from '../../../../shared/crypto/errors';
