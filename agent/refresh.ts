// Bringing the state up to date before a command uses it: each vault synced with its relay; when a
// relay cannot be reached the last synced copy is used and its age said (or, past --max-age, refused);
// a vault this agent was removed from is deleted from the state, and the command fails saying who did it.
import type { AgentDevice } from './device';
import { describeAge } from './durations';
import { AgentError, exitCodes } from './exit-codes';
import type { Output } from './output';
import { deleteState, saveState, type StateLocation } from './state-file';
import type { AgentState, AgentVault } from './state-schema';
import { syncVault, type SyncOutcome } from './vault-sync';
import { nodeRandom } from './ports';

/** How a command treats the relay. */
export type SyncPolicy = Readonly<{
  /** Do not contact the relay: use the copy (still bounded by maxAgeMs). */
  offline: boolean;
  /** Refuse a copy older than this when the relay cannot be reached (null: any age). */
  maxAgeMs: number | null;
  /** How long one vault's sync may take. */
  timeoutMs: number;
}>;

/** Per vault: whether it was synced now or its copy is used, and how old the copy is. */
export type Freshness = Readonly<{ vaultId: string; vaultName: string; synced: boolean; ageMs: number }>;

function checkAge(vault: AgentVault, policy: SyncPolicy, reason: string, output: Output): Freshness {
  const ageMs = Math.max(0, Date.now() - vault.syncedAt);
  const age = describeAge(ageMs);
  if (policy.maxAgeMs !== null && ageMs > policy.maxAgeMs)
    throw new AgentError(
      exitCodes.stale,
      `${reason}, and the copy of '${vault.vaultName}' was synced ${age} ago, longer than --max-age allows: start the relay (or check the network) and run the job again.`,
    );
  output.warn(`${reason}: using the copy of '${vault.vaultName}' synced ${age} ago.`);
  return { vaultId: vault.vaultId, vaultName: vault.vaultName, synced: false, ageMs };
}

/** Syncs every vault (unless offline), saves the state, and returns it with each vault's freshness. */
export async function refreshState(
  location: StateLocation,
  state: AgentState,
  device: AgentDevice,
  policy: SyncPolicy,
  output: Output,
): Promise<Readonly<{ state: AgentState; freshness: readonly Freshness[] }>> {
  const kept: AgentVault[] = [];
  const freshness: Freshness[] = [];
  const removals: string[] = [];
  for (const vault of state.vaults) {
    if (policy.offline) {
      kept.push(vault);
      freshness.push(checkAge(vault, policy, 'Offline (--offline)', output));
      continue;
    }
    output.note(`Syncing '${vault.vaultName}' with ${vault.relayUrl}…`);
    const outcome: SyncOutcome = await syncVault(vault, device, policy.timeoutMs);
    switch (outcome.kind) {
      case 'synced':
        kept.push(outcome.vault);
        freshness.push({ vaultId: vault.vaultId, vaultName: outcome.vault.vaultName, synced: true, ageMs: 0 });
        break;
      case 'unreachable':
        kept.push(vault);
        freshness.push(
          checkAge(vault, policy, `The relay ${vault.relayUrl} cannot be reached (${outcome.reason})`, output),
        );
        break;
      case 'removed':
        removals.push(`this agent was removed from '${outcome.vaultName}' by ${outcome.by}`);
        break;
      case 'refused':
        throw new AgentError(
          exitCodes.syncRefused,
          `Sync of '${vault.vaultName}' was refused: ${outcome.error.message} (error ${outcome.error.code}). Nothing was applied and the last copy is kept; tell the vault's admin.`,
        );
    }
  }
  const next: AgentState = { ...state, vaults: kept };
  if (kept.length === 0 && removals.length > 0) await deleteState(location);
  else if (!policy.offline) await saveState(location, next, nodeRandom);
  if (removals.length > 0)
    throw new AgentError(
      exitCodes.removed,
      `${removals.join('; ')}. Its local copy was deleted. If this pipeline still needs access, an admin invites a new agent (regvault agent join).`,
    );
  return { state: next, freshness };
}
