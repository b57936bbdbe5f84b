import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry } from '../shared/entries';
import { runCredentialHelper } from '../electron/services/cred-helper/client';
import { createAgentKey, encodeAgentKey } from './agent-key';
import { createDeviceSecrets, storedSecrets } from './device';
import { answerFromAgent, READ_ONLY_MESSAGE } from './helper-fallback';
import { nodeRandom } from './ports';
import { saveState } from './state-file';

async function agentEnv(syncedAt = Date.now()) {
  const home = mkdtempSync(join(tmpdir(), 'regvault-helper-'));
  const key = createAgentKey(nodeRandom);
  const doc = new Y.Doc();
  const ctx = { now: () => 1, newId: () => 'e1', actor: 'admin' };
  addEntry(doc, { registry: 'ghcr.io', name: 'GHCR', username: 'octo', secret: 's3cret' }, ctx);
  const state = {
    format: 'regvault-agent-state' as const,
    v: 1 as const,
    name: 'CI',
    person: 'p',
    device: storedSecrets(createDeviceSecrets(nodeRandom)),
    vaults: [
      {
        vaultId: 'v1-aaaaaaaaaaaaaaaaaaa',
        vaultName: 'Production',
        relayUrl: 'ws://127.0.0.1:1',
        vaultKey: { epoch: 0, key: 'AA==' },
        cursor: { head: 1, counter: 0, snapshotSeq: 0, authors: {}, members: [], vector: null },
        doc: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'),
        syncedAt,
      },
    ],
  };
  await saveState({ path: join(home, '.config/regvault/agent-state.json'), key, inline: undefined }, state, nodeRandom);
  return { HOME: home, REGVAULT_AGENT_KEY: encodeAgentKey(key) };
}

/** The helper's whole run, as Docker sees it: stdout and exit code (no app running in this data dir). */
async function helper(action: string, input: string, env: Record<string, string>) {
  let out = '';
  const code = await runCredentialHelper({
    args: [action],
    stdin: Readable.from([input]),
    write: (text) => (out += text),
    dataDir: join(env['HOME'] ?? '', 'no-app'),
    platform: process.platform,
    version: 'test',
    fallback: (request) => answerFromAgent(request, env),
  });
  return { code, out };
}

it('get and list answer from the agent copy in the protocol’s exact formats', async () => {
  const env = await agentEnv();
  expect(await helper('get', 'https://ghcr.io', env)).toEqual({
    code: 0,
    out: '{"ServerURL":"https://ghcr.io","Username":"octo","Secret":"s3cret"}\n',
  });
  expect(await helper('list', '', env)).toEqual({ code: 0, out: '{"ghcr.io":"octo"}\n' });
  expect(await helper('get', 'quay.io', env)).toEqual({ code: 1, out: 'credentials not found in native keychain\n' });
});

it('store and erase are refused: an agent is read-only', async () => {
  const env = await agentEnv();
  const store = await helper('store', '{"ServerURL":"ghcr.io","Username":"u","Secret":"x"}', env);
  expect(store).toEqual({ code: 1, out: `${READ_ONLY_MESSAGE}\n` });
  expect(await helper('erase', 'ghcr.io', env)).toEqual({ code: 1, out: `${READ_ONLY_MESSAGE}\n` });
});

it('without an agent key the helper says Regvault is not running, as before', async () => {
  const env = await agentEnv();
  const { code, out } = await helper('get', 'ghcr.io', { HOME: env.HOME });
  expect(code).toBe(1);
  expect(out).toMatch(/^Regvault is not running/);
});

it('REGVAULT_MAX_AGE refuses a copy older than it allows', async () => {
  const env = await agentEnv(Date.now() - 2 * 3_600_000);
  const { code, out } = await helper('get', 'ghcr.io', { ...env, REGVAULT_MAX_AGE: '1h' });
  expect(code).toBe(1);
  expect(out).toContain('longer than REGVAULT_MAX_AGE allows');
  expect((await helper('get', 'ghcr.io', env)).code).toBe(0);
});
