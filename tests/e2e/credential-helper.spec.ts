import { expect, test } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { launchRegvault, type Regvault } from './harness';
import { skopeoListTags, writeTestLauncher } from './pages/helper-skopeo';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

const user = 'ci';
const password = 'helper-pass:with-colon';
const privatePreset = 'Private / self-hosted registry';
// An authenticated request for a repository that does not exist; an anonymous or refused one is "unauthorized".
const loggedIn = /name unknown|NAME_UNKNOWN|404 \(Not Found\)/i;

let registry: RunningRegistry;
let home: string;
let app: Regvault;
let binDir: string;
let authfile: string;

test.beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { [user]: password } });
});

test.afterAll(async () => {
  await registry?.stop();
});

test.beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'regvault-helper-e2e-'));
  binDir = join(home, 'bin');
  await writeTestLauncher(binDir, join(home, '.regvault-data'));
  authfile = join(home, '.docker', 'config.json');
  await mkdir(join(home, '.docker'), { recursive: true });
  await writeFile(authfile, JSON.stringify({ credHelpers: { [registry.host]: 'regvault' } }, null, '\t'));
  app = await launchRegvault({ home });
});

test.afterEach(async () => {
  await app.close();
  await rm(home, { recursive: true, force: true });
});

test('skopeo logs in through credHelpers only while unlocked and only for a served entry; a wrong secret is unauthorized', async () => {
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  await session.createVault();
  await vault.addRegistry({ preset: privatePreset, registry: registry.host, username: user, password, name: 'CI' });
  const serve = vault.row('CI').getByRole('switch', { name: 'Serve to Docker' });
  await expect(serve).toHaveAttribute('aria-checked', 'false');

  // Not served (the default): the helper holds nothing, skopeo goes on anonymously and is refused.
  const notServed = await skopeoListTags(registry.host, authfile, binDir);
  expect(notServed.output).toMatch(/unauthorized/i);
  expect(notServed.output).not.toMatch(loggedIn);

  await serve.click();
  await expect(serve).toHaveAttribute('aria-checked', 'true');
  const served = await skopeoListTags(registry.host, authfile, binDir);
  expect(served.output).toMatch(loggedIn);
  expect(served.output).not.toMatch(/unauthorized/i);

  // A wrong secret is served as it is: the registry refuses it.
  await vault.edit('CI', { password: 'not-the-password' });
  const wrong = await skopeoListTags(registry.host, authfile, binDir);
  expect(wrong.output).toMatch(/unauthorized/i);
  await vault.edit('CI', { password });
  expect((await skopeoListTags(registry.host, authfile, binDir)).output).toMatch(loggedIn);

  await session.lock();
  const locked = await skopeoListTags(registry.host, authfile, binDir);
  expect(locked.code).not.toBe(0);
  expect(locked.output).toContain(`Regvault is locked: unlock it to use ${registry.host} credentials`);
  expect(locked.output).not.toContain(password);

  // Unlocking serves again (the switch is a per-device setting, kept in the sealed profile settings).
  await session.unlock();
  await expect(vault.row('CI').getByRole('switch', { name: 'Serve to Docker' })).toHaveAttribute(
    'aria-checked',
    'true',
  );
  expect((await skopeoListTags(registry.host, authfile, binDir)).output).toMatch(loggedIn);
});
