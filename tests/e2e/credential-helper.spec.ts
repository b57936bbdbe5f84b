import { expect, test } from '@playwright/test';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { launchRegvault, type Regvault } from './harness';
import { DockerConfigPage } from './pages/docker-config-page';
import { runInstalledHelper, skopeoListTags, writeTestLauncher } from './pages/helper-skopeo';
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
  app = await launchRegvault({ home, helperLauncher: join(binDir, 'docker-credential-regvault') });
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

  // Each request is in the vault's Activity, as this device's own (which registry, when; never the secret).
  await app.page.getByRole('button', { name: 'Activity' }).click();
  const requests = app.page.getByRole('dialog', { name: 'Activity' }).getByRole('list', { name: 'Docker requests' });
  await expect(requests.getByRole('listitem').first()).toContainText(
    `Docker got the ${registry.host} login from this device`,
  );
  await expect(requests).not.toContainText(password);
});

test('Install command-line helper, then "Use Regvault for these registries" through a reviewed plan: skopeo logs in with no secret in config.json', async () => {
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  await session.createVault();
  await vault.addRegistry({ preset: privatePreset, registry: registry.host, username: user, password, name: 'CI' });
  // config.json starts with the secret in base64, as docker login without a keychain leaves it.
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth: basic } } }, null, '\t'));

  await session.openSettings();
  const target = join(home, '.local', 'bin', 'docker-credential-regvault');
  await expect(app.page.getByTestId('helper-target')).toHaveText(target);
  await expect(app.page.getByTestId('helper-installed')).toHaveText('Not installed');
  await app.page.getByRole('button', { name: 'Install command-line helper' }).click();
  const confirm = app.page.getByRole('dialog', { name: 'Install command-line helper' });
  await expect(confirm.getByTestId('helper-confirm-target')).toHaveText(target);
  await confirm.getByRole('button', { name: 'Install', exact: true }).click();
  await expect(
    app.page.getByRole('status').filter({ hasText: `Installed docker-credential-regvault at ${target}` }),
  ).toBeVisible();
  await expect(app.page.getByTestId('helper-installed')).toContainText('Installed');

  const docker = new DockerConfigPage(app.page);
  await docker.open();
  await docker.entry('CI').getByRole('checkbox').check();
  await docker.screen.getByRole('button', { name: 'Use Regvault for these registries' }).click();
  await expect(docker.planGroup('Credential helper')).toContainText(registry.host);
  await expect(docker.planGroup('Removed')).toContainText(registry.host);
  await docker.applyButton.click();
  await expect(docker.page.getByRole('status', { name: 'Applied' })).toBeVisible();

  const written = JSON.parse(await readFile(authfile, 'utf8')) as Record<string, unknown>;
  expect(written).toEqual({ auths: {}, credHelpers: { [registry.host]: 'regvault' } });
  expect(await readFile(authfile, 'utf8')).not.toContain(basic);
  // The installed helper (a link in ~/.local/bin) serves the entry, switched on by the same action.
  await expect(docker.entry('CI')).toContainText('docker asks regvault');
  const installedBin = join(home, '.local', 'bin');
  expect((await skopeoListTags(registry.host, authfile, installedBin)).output).toMatch(loggedIn);

  await session.openVaults();
  await expect(vault.row('CI').getByRole('switch', { name: 'Serve to Docker' })).toHaveAttribute(
    'aria-checked',
    'true',
  );
  await expect(vault.badge('CI', 'Docker asks Regvault')).toBeVisible();

  // Switching back is one action: the mapping goes, the credential is written where Docker keeps it.
  await docker.open();
  await docker.entry('CI').getByRole('checkbox').check();
  await docker.screen.getByRole('button', { name: 'Stop using Regvault for these registries' }).click();
  await docker.applyButton.click();
  await expect(docker.page.getByRole('status', { name: 'Applied' })).toBeVisible();
  expect(JSON.parse(await readFile(authfile, 'utf8'))).toEqual({
    auths: { [registry.host]: { auth: basic } },
    credHelpers: {},
  });
});

test('a rotated secret shows "Docker config holds an older secret"; "Update Docker config" writes the new one after review', async () => {
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  await writeFile(authfile, '{}');
  await session.createVault();
  await vault.addRegistry({
    preset: privatePreset,
    registry: registry.host,
    username: user,
    password: 'old-pass',
    name: 'CI',
  });
  const docker = new DockerConfigPage(app.page);
  await docker.open();
  await docker.entry('CI').getByRole('checkbox').check();
  await docker.screen.getByRole('button', { name: 'Review changes' }).click();
  await docker.applyButton.click();
  await expect(docker.page.getByRole('status', { name: 'Applied' })).toBeVisible();

  await session.openVaults();
  await expect(vault.badge('CI', 'In Docker config')).toBeVisible();
  await vault.edit('CI', { password });
  await expect(vault.badge('CI', 'Docker config holds an older secret')).toBeVisible();
  await vault.row('CI').getByRole('button', { name: 'Update Docker config' }).click();
  const dialog = app.page.getByRole('dialog', { name: 'Update Docker config' });
  await expect(dialog.getByRole('list', { name: 'Changed', exact: true })).toContainText(registry.host);
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(dialog.getByRole('status', { name: 'Applied' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(vault.badge('CI', 'In Docker config')).toBeVisible();
  await expect(vault.badge('CI', 'Docker config holds an older secret')).toHaveCount(0);
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  expect(JSON.parse(await readFile(authfile, 'utf8'))).toEqual({ auths: { [registry.host]: { auth: basic } } });
});

test('store (docker login with credsStore regvault) saves into the vault chosen in Settings, refused until one is chosen; erase stops serving', async () => {
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  await session.createVault();
  const login = JSON.stringify({ ServerURL: registry.host, Username: user, Secret: password });

  const refused = await runInstalledHelper(binDir, 'store', login);
  expect(refused).toEqual({
    code: 1,
    output: 'Regvault has no vault for docker login: choose one in Regvault → Settings → Docker credential helper\n',
  });

  await session.openSettings();
  await app.page.getByLabel('Vault for docker login (credsStore: regvault)').selectOption({ label: 'Personal' });
  await expect(app.page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  expect(await runInstalledHelper(binDir, 'store', login)).toEqual({ code: 0, output: '' });

  await session.openVaults();
  const serve = vault.row(registry.host).getByRole('switch', { name: 'Serve to Docker' });
  await expect(serve).toHaveAttribute('aria-checked', 'true');
  expect(await vault.revealedPassword(registry.host)).toBe(password);
  // A real client now logs in with what was stored.
  expect((await skopeoListTags(registry.host, authfile, binDir)).output).toMatch(loggedIn);
  expect(await runInstalledHelper(binDir, 'list', 'unused')).toEqual({
    code: 0,
    output: `${JSON.stringify({ [registry.host]: user })}\n`,
  });

  // Erase (docker logout) stops serving; the entry stays in the vault.
  expect(await runInstalledHelper(binDir, 'erase', registry.host)).toEqual({ code: 0, output: '' });
  await expect(serve).toHaveAttribute('aria-checked', 'false');
  await expect(vault.row(registry.host)).toHaveCount(1);
  expect((await skopeoListTags(registry.host, authfile, binDir)).output).toMatch(/unauthorized/i);

  await session.openSettings();
  const requests = app.page.getByRole('list', { name: 'Recent helper requests' });
  await expect(requests).toContainText('stored');
  await expect(requests).toContainText('erased');
  await expect(requests).toContainText('refused');
  await expect(requests).not.toContainText(password);
});
