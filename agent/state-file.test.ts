import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAgentKey, decodeAgentKey, encodeAgentKey } from './agent-key';
import { createDeviceSecrets, storedSecrets } from './device';
import { AgentError, exitCodes } from './exit-codes';
import { nodeRandom } from './ports';
import { agentKeyFrom, loadState, openState, saveState, sealState } from './state-file';
import type { AgentState } from './state-schema';

const state: AgentState = {
  format: 'regvault-agent-state',
  v: 1,
  name: 'GitHub Actions — api repo',
  person: 'p-1',
  device: storedSecrets(createDeviceSecrets(nodeRandom)),
  vaults: [
    {
      vaultId: 'vault-1-aaaaaaaaaaaaaa',
      vaultName: 'Production',
      relayUrl: 'wss://relay.example.com',
      vaultKey: { epoch: 0, key: Buffer.from(nodeRandom(32)).toString('base64') },
      cursor: { head: 3, counter: 0, snapshotSeq: 0, authors: {}, members: [], vector: null },
      doc: 'AAA=',
      syncedAt: 1,
    },
  ],
};

function failureOf(run: () => unknown): AgentError {
  try {
    run();
  } catch (error) {
    if (error instanceof AgentError) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('the agent key', () => {
  it('round-trips and refuses anything else', () => {
    const key = createAgentKey(nodeRandom);
    const text = encodeAgentKey(key);
    expect(text).toMatch(/^rvk1-[A-Za-z0-9_-]{43}$/);
    expect(decodeAgentKey(` ${text}\n`)).toEqual(key);
    for (const bad of ['', 'rvk1-', text.slice(0, -1), `rvi1-${text.slice(5)}`, `${text}A`])
      expect(decodeAgentKey(bad)).toBeNull();
  });

  it('comes from REGVAULT_AGENT_KEY; missing or malformed says what to do (exit 3)', () => {
    expect(failureOf(() => agentKeyFrom({})).exitCode).toBe(exitCodes.state);
    expect(failureOf(() => agentKeyFrom({ REGVAULT_AGENT_KEY: 'hunter2' })).message).toContain('not an agent key');
  });
});

describe('the sealed state', () => {
  const key = createAgentKey(nodeRandom);

  it('holds nothing readable without the key', () => {
    const text = sealState(state, key, nodeRandom);
    for (const plain of [
      'Production',
      'GitHub Actions',
      'relay.example.com',
      state.device.seed,
      state.vaults[0]?.vaultKey.key ?? '',
    ])
      expect(text).not.toContain(plain);
    expect(openState(text, key, 'f')).toEqual(state);
  });

  it('refuses another key, a flipped byte, another file and a damaged content, each with its reason', () => {
    const text = sealState(state, key, nodeRandom);
    expect(failureOf(() => openState(text, createAgentKey(nodeRandom), 'f')).message).toContain('does not open');
    const file = JSON.parse(text) as { sealed: string };
    const bytes = Buffer.from(file.sealed, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const flipped = JSON.stringify({ ...file, sealed: bytes.toString('base64') });
    expect(failureOf(() => openState(flipped, key, 'f')).message).toContain('does not open');
    expect(failureOf(() => openState('{"auths":{}}', key, 'f')).message).toContain('is not a Regvault agent state');
    const wrongShape = sealState({ ...state, v: 2 } as unknown as AgentState, key, nodeRandom);
    expect(failureOf(() => openState(wrongShape, key, 'f')).message).toContain('damaged');
  });

  it('is written 0600 and read from the file, else from REGVAULT_AGENT_STATE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regvault-state-'));
    const path = join(dir, 'sub', 'agent-state.json');
    await saveState({ path, key, inline: undefined }, state, nodeRandom);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const inline = readFileSync(path, 'utf8');
    expect(await loadState({ path: join(dir, 'absent.json'), key, inline })).toEqual(state);
    writeFileSync(path, sealState({ ...state, name: 'from the file' }, key, nodeRandom));
    expect((await loadState({ path, key, inline })).name).toBe('from the file');
    // A CI "file" variable: REGVAULT_AGENT_STATE holds the path of a file with the contents.
    expect((await loadState({ path: join(dir, 'absent.json'), key, inline: path })).name).toBe('from the file');
    await expect(loadState({ path: join(dir, 'absent.json'), key, inline: undefined })).rejects.toMatchObject({
      exitCode: exitCodes.state,
    });
  });
});
