import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { launchRegvault, type Regvault } from './harness';
import { BackupPage } from './pages/backup-page';
import { DockerConfigPage } from './pages/docker-config-page';
import { skopeoListTags } from './pages/helper-skopeo';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

// Secret history against a real registry: the pipeline's Docker config was written by Regvault with the first
// password; three rotations later the registry still only knows the first one, so "Restore this secret" brings it
// back as a normal edit (Activity), Test login passes, Docker's config follows, and skopeo logs in with it.

const user = 'ci';
const firstPassword = 'first-pass-1';
let registry: RunningRegistry;
let app: Regvault;

test.beforeAll(async () => {
  registry = await startRegistry({ auth: 'htpasswd', users: { [user]: firstPassword } });
});
test.afterAll(async () => {
  await registry?.stop();
});
test.afterEach(async () => {
  await app.close();
});

test('rotate three times, restore the first: Activity, Test login and Docker config follow', async () => {
  test.setTimeout(120_000);
  app = await launchRegvault();
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  const backups = new BackupPage(app.page);
  const docker = new DockerConfigPage(app.page);
  await session.createVault();
  const preset = 'Private / self-hosted registry';
  await vault.addRegistry({ preset, registry: registry.host, username: user, password: firstPassword, name: 'CI' });
  await docker.open();
  await docker.choose('CI');
  await docker.review();
  await docker.apply();
  await session.openVaults();
  for (const next of ['second-pass-2', 'third-pass-3', 'fourth-pass-4']) await vault.edit('CI', { password: next });

  await backups.entryMenu(vault.row('CI'), 'Show history');
  const history = backups.dialog('Secret history');
  const items = history.getByRole('listitem');
  await expect(items).toHaveCount(3);
  await expect(items.first()).toContainText('by You');
  await items.last().getByRole('button', { name: 'Reveal' }).click();
  await expect(items.last().getByLabel('Previous secret', { exact: true })).toHaveText(firstPassword);
  await items.last().getByRole('button', { name: 'Restore this secret' }).click();
  await expect(history.getByRole('status')).toContainText(
    'Docker config was updated where Regvault wrote this registry',
  );
  // The replaced secret went into the history in its turn.
  await expect(items).toHaveCount(4);
  await history.getByRole('button', { name: 'Close', exact: true }).last().click();

  expect(await vault.revealedPassword('CI')).toBe(firstPassword);
  await expect(vault.badge('CI', 'Login OK')).toBeVisible({ timeout: 20_000 });
  const configPath = join(app.home, '.docker', 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { auths: Record<string, { auth: string }> };
  expect(Buffer.from(config.auths[registry.host]?.auth ?? '', 'base64').toString()).toBe(`${user}:${firstPassword}`);
  // A real client with that config logs in: a missing repository is "unknown", not "unauthorized".
  const listed = await skopeoListTags(registry.host, configPath, join(app.home, 'bin'));
  expect(listed.output).not.toMatch(/unauthorized/i);
  expect(listed.output).toMatch(/name unknown|not found|404/i);

  await app.page.getByRole('button', { name: 'Activity' }).click();
  // Test login after the restore is logged too ("recorded a login check of"); the rotation is there.
  await expect(
    app.page
      .getByRole('dialog', { name: 'Activity' })
      .getByRole('listitem')
      .filter({ hasText: 'rotated the secret of' })
      .first(),
  ).toBeVisible();
});
