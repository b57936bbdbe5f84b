// Which vaults `docker login` (the helper's `store`) may write into: only those this device may write —
// a team vault where it is a Viewer is never offered, and a choice that became read-only (the role was
// lowered since) is shown as such, with what to do, instead of failing silently at the next docker login.
import type { VaultSummary } from '../vault-db/vault-rows';

/** Whether this device may write into a vault (its verified role; every right in a vault only it uses). */
export type MayWrite = (vaultId: string) => boolean;

/** The vaults Settings offers for docker login, and the stored choice if it is read-only now. */
export type StoreVaultChoices = Readonly<{ offered: readonly VaultSummary[]; readOnly: VaultSummary | null }>;

/** The vaults to offer: readable, writable by this device; the stored choice kept apart when it is read-only. */
export function storeVaultChoices(
  vaults: readonly VaultSummary[],
  storeVault: string | undefined,
  mayWrite: MayWrite,
): StoreVaultChoices {
  const offered = vaults.filter((vault) => vault.problem === null && mayWrite(vault.id));
  const chosen = vaults.find((vault) => vault.id === storeVault);
  return { offered, readOnly: chosen && !mayWrite(chosen.id) ? chosen : null };
}

/** What `store` answers, and Settings shows, when the chosen vault is read-only for this device. */
export function describeReadOnlyStoreVault(name: string | null): string {
  return `Regvault cannot store docker login in '${name ?? 'the chosen vault'}': this device may only read it there (Viewer). Choose another vault in Regvault → Settings → Docker credential helper`;
}
