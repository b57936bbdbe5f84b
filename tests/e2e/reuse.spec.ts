import { expect, test } from '@playwright/test';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchRegvault, type Regvault } from './harness';
import { skopeoListTags, writeTestLauncher } from './pages/helper-skopeo';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

const privatePreset = 'Private / self-hosted registry';
const DAY = 24 * 3_600_000;

let registry: RunningRegistry;
let app: Regvault;
let session: SessionPage;
let vault: VaultPage;

test.beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { ci: 'ci-registry-pass' } });
});

test.afterAll(async () => {
  await registry?.stop();
});

let home: string;
let binDir: string;
let authfile: string;

test.beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'regvault-reuse-e2e-'));
  binDir = join(home, 'bin');
  await writeTestLauncher(binDir, join(home, '.regvault-data'));
  authfile = join(home, '.docker', 'config.json');
  await mkdir(join(home, '.docker'), { recursive: true });
  await writeFile(authfile, JSON.stringify({ credHelpers: { [registry.host]: 'regvault' } }, null, '\t'));
  app = await launchRegvault({ home, helperLauncher: join(binDir, 'docker-credential-regvault') });
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
});

test.afterEach(async () => {
  await app.close();
  await rm(home, { recursive: true, force: true });
});

test('the same secret in two vaults is Reused on both, with a filter; the same login on two registries of one vault is a soft note', async () => {
  await session.createVault();
  const shared = 'shared-token-between-envs-1';
  await vault.addRegistry({
    preset: privatePreset,
    registry: 'registry.prod.example.com',
    username: 'ci',
    password: shared,
    name: 'Prod registry',
  });
  await vault.addRegistry({
    preset: privatePreset,
    registry: 'mirror.prod.example.com',
    username: 'ci',
    password: shared,
    name: 'Prod mirror',
  });
  await vault.newVault('Staging');
  await vault.addRegistry({
    preset: privatePreset,
    registry: 'registry.staging.example.com',
    username: 'deploy',
    password: shared,
    name: 'Staging registry',
  });
  await vault.addRegistry({
    preset: privatePreset,
    registry: 'other.staging.example.com',
    username: 'deploy',
    password: 'its-own-token-2',
    name: 'Staging own',
  });

  await expect(vault.badge('Staging registry', 'Reused')).toBeVisible();
  await expect(vault.row('Staging registry')).toContainText("Also in 'Personal'");
  await expect(vault.badge('Staging own', 'Reused')).toHaveCount(0);

  await vault.reusedFilter.click();
  await expect(vault.reusedFilter).toHaveAttribute('aria-pressed', 'true');
  await vault.expectNames(['Staging registry']);
  await vault.reusedFilter.click();
  await expect(vault.rows).toHaveCount(2);

  await vault.switchVault('Personal');
  await expect(vault.badge('Prod registry', 'Reused')).toBeVisible();
  await expect(vault.row('Prod registry')).toContainText("Also in 'Staging'");
  // One vault, two registries, the same username and secret: a note, not the Reused badge's warning.
  await expect(vault.badge('Prod registry', 'Same login')).toBeVisible();
  await expect(vault.row('Prod registry')).toContainText('Also for mirror.prod.example.com');

  // A new secret in Staging ends the reuse on both sides.
  await vault.switchVault('Staging');
  await vault.edit('Staging registry', { password: 'staging-only-token-3' });
  await expect(vault.badge('Staging registry', 'Reused')).toHaveCount(0);
  await vault.switchVault('Personal');
  await expect(vault.badge('Prod registry', 'Reused')).toHaveCount(0);
  await expect(vault.badge('Prod registry', 'Same login')).toBeVisible();
});

test('last use on this device: a passed login check counts, the list sorts by it, and 90 days without use show', async () => {
  await app.page.clock.install();
  await session.createVault();
  await vault.addRegistry({
    preset: privatePreset,
    registry: registry.host,
    username: 'ci',
    password: 'ci-registry-pass',
    name: 'Used',
  });
  await vault.addRegistry({
    preset: privatePreset,
    registry: 'idle.example.com',
    username: 'ci',
    password: 'idle-pass',
    name: 'Idle',
  });
  await vault.expectNames(['Idle', 'Used']);

  const start = await app.page.evaluate(() => Date.now());
  await app.page.clock.setSystemTime(start + 91 * DAY);
  await app.page.clock.runFor(61_000);
  await expect(vault.badge('Idle', 'Not used for 90 days')).toBeVisible();
  await expect(vault.badge('Used', 'Not used for 90 days')).toBeVisible();

  await vault.testLogin('Used');
  await expect(vault.badge('Used', 'Login OK')).toBeVisible();
  await expect(vault.badge('Used', 'Not used for 90 days')).toHaveCount(0);
  await expect(vault.badge('Idle', 'Not used for 90 days')).toBeVisible();

  await vault.sortBy('Last used');
  await vault.expectNames(['Used', 'Idle']);
  await vault.sortBy('Name');
  await vault.expectNames(['Idle', 'Used']);

  // Kept on this device (sealed in its settings): after a reload it is still known.
  await app.page.reload();
  await session.unlock();
  await expect(vault.badge('Idle', 'Not used for 90 days')).toBeVisible();
  await expect(vault.badge('Used', 'Not used for 90 days')).toHaveCount(0);
});

test('serving Docker through the credential helper counts as a use of the entry on this device', async () => {
  await app.page.clock.install();
  await session.createVault();
  await vault.addRegistry({
    preset: privatePreset,
    registry: registry.host,
    username: 'ci',
    password: 'ci-registry-pass',
    name: 'Served',
  });
  const serve = vault.row('Served').getByRole('switch', { name: 'Serve to Docker' });
  await serve.click();
  await expect(serve).toHaveAttribute('aria-checked', 'true');
  const start = await app.page.evaluate(() => Date.now());
  await app.page.clock.setSystemTime(start + 91 * DAY);
  await app.page.clock.runFor(61_000);
  await expect(vault.badge('Served', 'Not used for 90 days')).toBeVisible();

  const pulled = await skopeoListTags(registry.host, authfile, binDir);
  expect(pulled.output).toMatch(/name unknown|NAME_UNKNOWN|404/i);
  await expect(vault.badge('Served', 'Not used for 90 days')).toHaveCount(0);
});
