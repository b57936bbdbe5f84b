// docker-credential-regvault's answer when no desktop app is running: the agent's synced copy (no
// network: Docker may call a helper many times per pull). `get` and `list` only; `store` and `erase`
// are refused, since an agent is read-only. Without REGVAULT_AGENT_KEY the helper is not an agent's
// and says, as before, that Regvault is not running.
import type { HelperRequest } from '../electron/services/cred-helper/client';
import type { ChannelResponse } from '../electron/services/cred-helper/wire';
import { readDockerKey } from '../shared/registry/registry-key';
import { credentialsOf } from './credentials';
import { describeAge, parseDuration } from './durations';
import { AgentError } from './exit-codes';
import { agentKeyFrom, loadState, statePathOf } from './state-file';

type Env = Readonly<Record<string, string | undefined>>;

/** The message a refused store or erase prints. */
export const READ_ONLY_MESSAGE =
  'this is a read-only Regvault agent: docker login and docker logout cannot change its credentials; change them in the Regvault app (the agent gets them at its next sync)';

/** Answers one helper request from the agent state, or null when this process has no agent key. */
export async function answerFromAgent(request: HelperRequest, env: Env): Promise<ChannelResponse | null> {
  if (!env['REGVAULT_AGENT_KEY']) return null;
  if (request.action === 'store' || request.action === 'erase') return { kind: 'refused', message: READ_ONLY_MESSAGE };
  try {
    const state = await loadState({
      path: statePathOf(undefined, env),
      key: agentKeyFrom(env),
      inline: env['REGVAULT_AGENT_STATE'],
    });
    const maxAge = env['REGVAULT_MAX_AGE'] ? parseDuration(env['REGVAULT_MAX_AGE']) : null;
    const oldest = Math.min(...state.vaults.map((v) => v.syncedAt));
    if (maxAge !== null && state.vaults.length > 0 && Date.now() - oldest > maxAge)
      return {
        kind: 'refused',
        message: `the agent's copy was synced ${describeAge(Date.now() - oldest)} ago, longer than REGVAULT_MAX_AGE allows: run regvault sync first`,
      };
    const credentials = credentialsOf(state);
    if (request.action === 'list')
      return { kind: 'list', items: Object.fromEntries(credentials.map((c) => [c.registry, c.username])) };
    const key = readDockerKey(request.serverURL ?? '');
    const found = key.ok ? credentials.find((c) => c.registry === key.key) : undefined;
    return found ? { kind: 'credential', username: found.username, secret: found.secret } : { kind: 'not-found' };
  } catch (error) {
    if (error instanceof AgentError) return { kind: 'refused', message: error.message };
    throw error;
  }
}
