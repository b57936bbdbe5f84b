// Short-lived tokens (issue #17) end to end: fake aws / az / gcloud on a temporary PATH, a real docker-registry
// whose htpasswd the fake `aws` rotates, the page's clock fast-forwarded to the scheduled refresh, Docker config
// updated through plan/apply, reminders asserted through the harness's record of main-process calls.
import { expect, test } from '@playwright/test';
import ICAL from 'ical.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFakeClouds, type FakeClouds } from '../../electron/services/fixtures/fake-clouds';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { launchRegvault, type Regvault } from './harness';
import { DockerConfigPage } from './pages/docker-config-page';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

const HOUR = 3_600_000;
const firstToken = 'typed-ecr-token';
const command = 'aws ecr get-login-password --region eu-west-1';

let root: string;
let registry: RunningRegistry;
let clouds: FakeClouds;
let app: Regvault;
let session: SessionPage;
let vault: VaultPage;

test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'regvault-e2e-refresh-'));
  registry = await startRegistry({ auth: 'htpasswd', users: { AWS: firstToken } });
  clouds = await makeFakeClouds(root, { htpasswdPath: registry.htpasswdPath ?? '', user: 'AWS' });
  app = await launchRegvault({ env: { PATH: clouds.path } });
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
  await app.page.clock.install();
  await session.createVault();
});

test.afterEach(async () => {
  await app.close();
  await registry.stop();
  await rm(root, { recursive: true, force: true });
});

async function dockerAuth(): Promise<string | undefined> {
  try {
    const config = JSON.parse(await readFile(join(app.home, '.docker', 'config.json'), 'utf8'));
    return config.auths?.[registry.host]?.auth;
  } catch {
    return undefined;
  }
}

/** Moves the page's clock on by `ms` and lets a minute pass (the app re-evaluates its schedule every minute). */
async function later(ms: number): Promise<void> {
  await app.page.clock.setSystemTime((await app.page.evaluate(() => Date.now())) + ms);
  await app.page.clock.runFor(61_000);
}

const basic = (secret: string) => Buffer.from(`AWS:${secret}`).toString('base64');

/** Writes an entry of the open vault to Docker config through the Docker config screen (plan, then apply). */
async function writeToDocker(name: string): Promise<void> {
  const docker = new DockerConfigPage(app.page);
  await docker.open();
  await docker.choose(name);
  await docker.review();
  await docker.apply();
  expect(await dockerAuth()).toBe(basic(firstToken));
}

test('the scheduled refresh rotates the token: Test login is OK and the new secret reaches Docker config', async () => {
  const form = await vault.openAddForm();
  await vault.fill(form, { preset: 'Amazon ECR', registry: registry.host, password: firstToken, name: 'ECR local' });
  await vault.field(form, 'Refresh command').fill(command);
  await form.getByRole('button', { name: 'Allow this command' }).click();
  await expect(form.getByText('Allowed on this device.')).toBeVisible();
  // Changing the command withdraws the approval; allowing it again covers only the new text.
  await vault.field(form, 'Refresh command').fill(`${command} --profile other`);
  await expect(form.getByRole('button', { name: 'Allow this command' })).toBeVisible();
  await vault.field(form, 'Refresh command').fill(command);
  await expect(form.getByText('Allowed on this device.')).toBeVisible();
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await vault.testLogin('ECR local');
  await expect(vault.badge('ECR local', 'Login OK')).toBeVisible();

  await writeToDocker('ECR local');
  await session.openVaults();
  expect(await clouds.runs('aws')).toEqual([]);

  // 11 h later (the refresh is due at 90 % of the 12 h token).
  await later(11 * HOUR);
  await expect.poll(async () => (await clouds.runs('aws')).length, { timeout: 20_000 }).toBe(1);
  const newToken = clouds.tokenOf('aws', 1);
  expect((await clouds.runs('aws'))[0]?.argv).toEqual(['ecr', 'get-login-password', '--region', 'eu-west-1']);
  await expect.poll(dockerAuth, { timeout: 20_000 }).toBe(basic(newToken));
  expect(await vault.revealedPassword('ECR local')).toBe(newToken);
  await expect(vault.row('ECR local')).toContainText('Expires in 12 h');
  await vault.testLogin('ECR local');
  await expect(vault.badge('ECR local', 'Login OK')).toBeVisible();

  // Refresh now: the next token, at once.
  await vault.row('ECR local').getByRole('button', { name: 'Refresh now' }).click();
  await expect.poll(dockerAuth, { timeout: 20_000 }).toBe(basic(clouds.tokenOf('aws', 2)));
  await expect(vault.badge('ECR local', 'Login OK')).toBeVisible();
  // A refreshed entry is not "expiring": no reminder was needed.
  expect((await app.mainCalls()).notifications).toEqual([]);
});

test('a failed refresh shows redacted stderr and notifies; the notification opens the entry', async () => {
  await vault.addRegistry({ preset: 'Amazon ECR', registry: registry.host, password: firstToken, name: 'ECR local' });
  const form = await vault.openEdit('ECR local');
  await form.getByRole('button', { name: 'Use the aws command' }).click();
  await expect(vault.field(form, 'Refresh command')).toHaveValue(/^aws ecr get-login-password --region /);
  await vault.field(form, 'Refresh command').fill(command);
  await form.getByRole('button', { name: 'Allow this command' }).click();
  await form.getByRole('button', { name: 'Save Changes' }).click();
  await expect(form).toBeHidden();

  await clouds.fail('aws', true);
  await vault.row('ECR local').getByRole('button', { name: 'Refresh now' }).click();
  const notice = app.page.getByRole('alert').filter({ hasText: 'Refresh failed for ECR local.' });
  await expect(notice).toContainText('For ECR, regenerate the authorization token');
  await expect(notice.getByLabel('Command output')).toContainText('ExpiredTokenException');
  await expect(notice).toContainText('[redacted]');
  await expect(notice).not.toContainText('wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY');
  await expect
    .poll(async () => (await app.mainCalls()).notifications.map((n) => n.title))
    .toEqual(['Token refresh failed: ECR local']);

  await session.openSettings();
  await app.clickNotification(0);
  await expect(vault.editForm).toBeVisible();
  await expect(vault.field(vault.editForm, 'Name')).toHaveValue('ECR local');
});

test('reminders: an expiring entry notifies once, counts in the title and badge, and exports an .ics event', async () => {
  await vault.addRegistry({
    preset: 'Quay',
    name: 'Quay robot',
    username: 'acme+ci',
    password: 'q',
    rotateEveryDays: '30',
  });
  await vault.addRegistry({ preset: 'Amazon ECR', name: 'ECR typed', registry: registry.host, password: firstToken });
  await expect(app.page).toHaveTitle('Regvault');

  await later(10 * HOUR);
  await expect(app.page).toHaveTitle('Regvault (1 needs attention)');
  await expect
    .poll(async () => (await app.mainCalls()).notifications)
    .toEqual([{ title: 'Expires soon: ECR typed', body: expect.stringContaining(registry.host) }]);
  expect((await app.mainCalls()).badges.at(-1)).toBe(1);

  await later(31 * 24 * HOUR);
  await expect(app.page).toHaveTitle('Regvault (2 need attention)');
  await expect
    .poll(async () => (await app.mainCalls()).notifications.map((n) => n.title))
    .toEqual(['Expires soon: ECR typed', 'Expired: ECR typed', 'Rotation due: Quay robot']);
  expect((await app.mainCalls()).badges.at(-1)).toBe(2);

  const [download] = await Promise.all([
    app.page.waitForEvent('download'),
    vault.row('Quay robot').getByRole('button', { name: 'Add to calendar' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('regvault-quay-robot-rotation.ics');
  const text = await readFile((await download.path()) ?? '', 'utf8');
  const event = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent') ?? undefined);
  expect(event.summary).toBe('Quay robot: rotate the registry credential');
  expect(text).not.toContain('acme+ci:q');

  // Turned off in Settings: nothing more is shown.
  await session.openSettings();
  await app.page.getByLabel('Desktop notifications').uncheck();
  await expect(app.page.getByText('Reminders are off.')).toBeVisible();
  await session.openVaults();
  await vault.addRegistry({
    preset: 'Private / self-hosted registry',
    registry: 'registry.example.com:5000',
    name: 'Old',
    username: 'old',
    password: 'o',
    expires: '2020-01-01T09:30',
  });
  await expect(app.page).toHaveTitle('Regvault (3 need attention)');
  expect((await app.mainCalls()).notifications).toHaveLength(3);
});

test('a token in a vault that is not open is refreshed on schedule, and that vault counts in the title', async () => {
  await vault.newVault('Team');
  const form = await vault.openAddForm();
  await vault.fill(form, { preset: 'Amazon ECR', registry: registry.host, password: firstToken, name: 'ECR team' });
  await vault.field(form, 'Refresh command').fill(command);
  await form.getByRole('button', { name: 'Allow this command' }).click();
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await vault.addRegistry({
    preset: 'Private / self-hosted registry',
    registry: 'registry.example.com:5000',
    name: 'Team old',
    username: 'old',
    password: 'o',
    expires: '2020-01-01T09:30',
  });
  await writeToDocker('ECR team');

  // The other vault is open from here on: the Team vault's entries are still counted and refreshed.
  await session.openVaults();
  await vault.switchVault('Personal');
  await expect(vault.rows).toHaveCount(0);
  await expect(app.page).toHaveTitle('Regvault (1 needs attention)');
  await expect.poll(async () => (await app.mainCalls()).badges.at(-1)).toBe(1);

  await later(11 * HOUR);
  await expect.poll(async () => (await clouds.runs('aws')).length, { timeout: 20_000 }).toBe(1);
  const newToken = clouds.tokenOf('aws', 1);
  await expect.poll(dockerAuth, { timeout: 20_000 }).toBe(basic(newToken));
  await expect(vault.vaultSelect.locator('option:checked')).toHaveText('Personal');
  await expect(vault.rows).toHaveCount(0);

  // Saved in the Team vault, with its automatic login check against the rotated registry.
  await vault.switchVault('Team');
  expect(await vault.revealedPassword('ECR team')).toBe(newToken);
  await expect(vault.row('ECR team')).toContainText('Expires in 12 h');
  await expect(vault.badge('ECR team', 'Login OK')).toBeVisible();
  await expect(app.page).toHaveTitle('Regvault (1 needs attention)');
});
