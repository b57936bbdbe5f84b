import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createInvitation, encodeInvitationCode } from '../shared/sync/invitation';
import { exitCodes } from './exit-codes';
import { joinVault } from './join';
import { processOutput } from './output';
import { nodeRandom } from './ports';

const code = encodeInvitationCode(
  createInvitation(
    {
      relayUrl: 'ws://127.0.0.1:9/',
      vaultId: 'vault-id-0123456789ab',
      vaultName: 'Production',
      inviterName: 'Alice',
      role: 'reader',
      inviterKey: Buffer.alloc(32, 1).toString('base64'),
      service: true,
    },
    nodeRandom,
    Date.now(),
  ),
);

const input = (statePath: string, text = code) => ({
  code: text,
  name: 'CI',
  statePath,
  existingKey: null,
  waitMs: 1000,
  output: processOutput(true),
});

it('refuses to replace an existing agent state without its key, and leaves the file as it was', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'regvault-join-')), 'agent-state.json');
  writeFileSync(path, 'the other agent');
  await expect(joinVault(input(path))).rejects.toMatchObject({
    exitCode: exitCodes.join,
    message: expect.stringContaining('set REGVAULT_AGENT_KEY to add this vault'),
  });
  expect(readFileSync(path, 'utf8')).toBe('the other agent');
});

it('a code that is not an invitation says so (exit 10)', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'regvault-join-')), 'agent-state.json');
  await expect(joinVault(input(path, 'rvk1-not-an-invitation'))).rejects.toMatchObject({
    exitCode: exitCodes.join,
    message: expect.stringContaining('not an invitation code'),
  });
});
