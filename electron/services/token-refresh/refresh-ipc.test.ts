// Main owns the approvals of refresh commands: a command runs only after main's own dialog said yes for
// that exact argument vector, entry and registry; the renderer names an entry, never a command. Against
// fake aws on a temporary PATH, with the native dialog replaced by a recording stand-in (no Electron here).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeFakeClouds, type FakeClouds } from '../fixtures/fake-clouds';
import { memoryClipboard } from '../fixtures/memory-clipboard';
import { recordingDialog } from '../fixtures/recording-dialog';
import { createRefreshIpc } from './refresh-ipc';

let root: string;
let clouds: FakeClouds;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'regvault-approvals-'));
  clouds = await makeFakeClouds(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const AWS = ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'];
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

function ipcWith(answer: boolean, dataDir = join(root, `data-${Math.random()}`)) {
  const dialog = recordingDialog(() => answer);
  const context = {
    appName: 'Regvault',
    appVersion: '0',
    home: root,
    env: { PATH: `${clouds.path}:/usr/bin:/bin` },
    platform: process.platform,
    clipboard: memoryClipboard().clipboard,
    confirm: dialog.confirm,
    dataDir,
  };
  return { ipc: createRefreshIpc(context), asked: dialog.asked, dataDir };
}

it("runs an entry's command only after main's dialog allowed that exact argument vector, and only for its registry", async () => {
  const { ipc, asked, dataDir } = ipcWith(true);
  const ref = { vaultId: 'v', entryId: 'e', registry: ECR };
  expect(await ipc.run(ref)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
  expect(await ipc.approve({ ...ref, argv: AWS })).toEqual({ ok: true, value: { approved: true } });
  expect(asked).toHaveLength(1);
  expect(asked[0]?.detail).toContain('"aws" "ecr" "get-login-password" "--region" "eu-west-1"');
  expect(asked[0]?.message).toContain(ECR);
  expect(await ipc.run(ref)).toEqual({ ok: true, value: { token: clouds.tokenOf('aws', 1) } });
  // The same command again is not asked twice; a changed one is.
  await ipc.approve({ ...ref, argv: AWS });
  expect(asked).toHaveLength(1);
  // Another registry (a crafted remote edit of the entry): nothing runs.
  expect(await ipc.run({ ...ref, registry: 'evil.example.com' })).toMatchObject({
    ok: false,
    error: { code: 'not-approved', message: expect.stringContaining(`allowed for ${ECR}`) as unknown },
  });
  // Kept by main in its user-only folder, 0600.
  const file = join(dataDir, 'refresh-approvals.json');
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ approvals: [{ argv: AWS, registry: ECR }] });
  // Forgotten (the command was removed): it runs no more.
  await ipc.forget(ref);
  expect(await ipc.run(ref)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
});

it('/bin/sh -c that the user did not allow in the dialog runs nothing, and an approval of one entry covers no other', async () => {
  const { ipc, asked } = ipcWith(false);
  const marker = join(root, 'shell-ran');
  const shell = ['/bin/sh', '-c', `touch ${marker}`];
  const ref = { vaultId: 'v', entryId: 'x' };
  expect(await ipc.approve({ ...ref, argv: shell })).toEqual({ ok: true, value: { approved: false } });
  expect(asked[0]?.detail).toContain('"/bin/sh" "-c" "touch');
  expect(await ipc.run(ref)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
  expect(existsSync(marker)).toBe(false);

  const yes = ipcWith(true);
  await yes.ipc.approve({ vaultId: 'v', entryId: 'a', argv: AWS });
  expect(await yes.ipc.run({ vaultId: 'v', entryId: 'b' })).toMatchObject({
    ok: false,
    error: { code: 'not-approved' },
  });
  expect(await yes.ipc.run({ vaultId: 'w', entryId: 'a' })).toMatchObject({
    ok: false,
    error: { code: 'not-approved' },
  });
});

it('without a dialog (none wired), every approval is refused; a damaged approvals file counts as none', async () => {
  const { dataDir } = ipcWith(true);
  const context = {
    appName: 'Regvault',
    appVersion: '0',
    home: root,
    env: { PATH: clouds.path },
    platform: process.platform,
    clipboard: memoryClipboard().clipboard,
    dataDir,
  };
  const ipc = createRefreshIpc(context);
  expect(await ipc.approve({ vaultId: 'v', entryId: 'e', argv: AWS })).toEqual({
    ok: true,
    value: { approved: false },
  });
  const { writeFile, mkdir } = await import('node:fs/promises');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'refresh-approvals.json'), '{"version":1,"approvals":[{"vaultId":"v"');
  expect(await ipc.run({ vaultId: 'v', entryId: 'e' })).toMatchObject({ ok: false, error: { code: 'not-approved' } });
});
