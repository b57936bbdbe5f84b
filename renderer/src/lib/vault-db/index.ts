// The renderer's local vault store (DESIGN §4): what the Create / Unlock / Lock / Change passphrase screens use.

export { unlockDelayAfter } from './backoff';
export { RegvaultDb } from './db';
export { OpenVault } from './open-vault';
export type { StoreProblem } from './problems';
export type { EntryUse, EntryUseKind, Settings, StoredRefreshCommand } from './records';
export { UnlockedProfile } from './unlocked-profile';
export type { VaultSummary } from './vault-rows';
export { DEFAULT_RELAY_URL, DEFAULT_SYNC_SETTINGS, checkSyncSettings, type SyncSettings } from './sync-records';
export { VaultSyncState } from './sync-state';
export { VaultStore, type VaultStoreOptions } from './vault-store';
export { isVaultError, type VaultErrorCode } from '../../../../shared/crypto/errors';
