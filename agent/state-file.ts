// The agent state file: the state sealed (tweetnacl secretbox) under the agent key, written atomically
// with mode 0600. In a job it comes from the file (--state, REGVAULT_AGENT_STATE_FILE, or the default
// path) or, when that file does not exist, from REGVAULT_AGENT_STATE (the file's contents as a secret).
import { readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import nacl from 'tweetnacl';
import { writeFileAtomic, ensureDirectory } from '../electron/services/docker-config/atomic-write';
import type { RandomBytes } from '../shared/sync/ports';
import { decodeAgentKey } from './agent-key';
import { AgentError, exitCodes } from './exit-codes';
import { agentStateSchema, sealedFileSchema, type AgentState } from './state-schema';

/** Where the state is read from and written to. */
export type StateLocation = Readonly<{ path: string; key: Uint8Array; inline: string | undefined }>;

type Env = Readonly<Record<string, string | undefined>>;

/** The default state path: `$XDG_CONFIG_HOME/regvault/agent-state.json` (else under ~/.config). */
export function defaultStatePath(env: Env): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'regvault', 'agent-state.json');
}

/** The state path a command uses: `--state`, else REGVAULT_AGENT_STATE_FILE, else the default. */
export function statePathOf(flag: string | undefined, env: Env): string {
  return flag ?? env['REGVAULT_AGENT_STATE_FILE'] ?? defaultStatePath(env);
}

/** The agent key from REGVAULT_AGENT_KEY; says what to do when it is missing or not a key. */
export function agentKeyFrom(env: Env): Uint8Array {
  const text = env['REGVAULT_AGENT_KEY'];
  if (text === undefined || text.trim() === '')
    throw new AgentError(
      exitCodes.state,
      'REGVAULT_AGENT_KEY is not set: give the job the agent key printed by `regvault agent join` (a CI secret).',
    );
  const key = decodeAgentKey(text);
  if (!key)
    throw new AgentError(
      exitCodes.state,
      'REGVAULT_AGENT_KEY is not an agent key (rvk1-…): copy it again from where it was stored when the agent joined.',
    );
  return key;
}

/** Seals a state under the agent key: the file's text. */
export function sealState(state: AgentState, key: Uint8Array, random: RandomBytes): string {
  const nonce = random(nacl.secretbox.nonceLength);
  const sealed = nacl.secretbox(new TextEncoder().encode(JSON.stringify(state)), nonce, key);
  const file = {
    format: 'regvault-agent-state',
    v: 1,
    nonce: Buffer.from(nonce).toString('base64'),
    sealed: Buffer.from(sealed).toString('base64'),
  };
  return `${JSON.stringify(file)}\n`;
}

/** Opens a state file's text; a wrong key, a damaged file or another file each say so. */
export function openState(text: string, key: Uint8Array, source: string): AgentState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const file = sealedFileSchema.safeParse(json);
  if (!file.success)
    throw new AgentError(
      exitCodes.state,
      `${source} is not a Regvault agent state: give the file written by \`regvault agent join\`.`,
    );
  const plain = nacl.secretbox.open(
    new Uint8Array(Buffer.from(file.data.sealed, 'base64')),
    new Uint8Array(Buffer.from(file.data.nonce, 'base64')),
    key,
  );
  if (!plain)
    throw new AgentError(
      exitCodes.state,
      `The agent key does not open ${source}: the key and the state must come from the same \`regvault agent join\`.`,
    );
  let inner: unknown;
  try {
    inner = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    inner = null;
  }
  const state = agentStateSchema.safeParse(inner);
  if (!state.success)
    throw new AgentError(
      exitCodes.state,
      `${source} opens but is damaged: join the agent again (regvault agent join).`,
    );
  return state.data;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AgentError(
      exitCodes.state,
      `${path} cannot be read (${(error as NodeJS.ErrnoException).code}): check its permissions.`,
    );
  }
}

/** Loads the state: the file if it exists, else REGVAULT_AGENT_STATE. */
export async function loadState(location: StateLocation): Promise<AgentState> {
  const text = await readIfExists(location.path);
  if (text !== null) return openState(text, location.key, location.path);
  const inline = location.inline?.trim() ?? '';
  if (inline.startsWith('{')) return openState(inline, location.key, 'REGVAULT_AGENT_STATE');
  // A CI "file" variable (GitLab) holds the path of a file with the contents instead.
  const named = inline === '' ? null : await readIfExists(inline);
  if (named !== null) return openState(named, location.key, inline);
  throw new AgentError(
    exitCodes.state,
    `No agent state at ${location.path} and REGVAULT_AGENT_STATE is not set: give the job the state file (--state FILE) or its contents.`,
  );
}

/** Writes the state sealed, atomically, mode 0600. */
export async function saveState(location: StateLocation, state: AgentState, random: RandomBytes): Promise<void> {
  await ensureDirectory(dirname(location.path));
  await writeFileAtomic(location.path, sealState(state, location.key, random), 0o600);
}

/** Deletes the state file (nothing left to keep). */
export async function deleteState(location: StateLocation): Promise<void> {
  await rm(location.path, { force: true });
}
