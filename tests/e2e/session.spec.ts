import { expect, test } from '@playwright/test';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage, testPassphrase } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

let app: Regvault;
let session: SessionPage;

test.beforeEach(async () => {
  app = await launchRegvault();
  session = new SessionPage(app.page);
});

test.afterEach(async () => {
  await app.close();
});

test('first run refuses weak and mismatched passphrases, then creates the vault', async () => {
  const page = app.page;
  await page.getByLabel('Passphrase', { exact: true }).fill('hunter2');
  await page.getByLabel('Confirm passphrase').fill('hunter2');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('alert')).toContainText('at least 12 characters');
  await page.getByLabel('Passphrase', { exact: true }).fill(testPassphrase);
  await page.getByLabel('Confirm passphrase').fill(`${testPassphrase}!`);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await session.createVault();
});

test('lock by button, reload stays locked, a wrong passphrase is refused, the right one unlocks', async () => {
  await session.createVault();
  await session.lock();
  await app.page.reload();
  await session.expectLocked();
  await app.page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase at all');
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await expect(app.page.getByRole('alert')).toContainText('Wrong passphrase');
  await session.unlock();
});

test('locks when main reports system suspend or screen lock', async () => {
  await session.createVault();
  await app.emit('power:suspend');
  await session.expectLocked();
  await expect(app.page.getByText('computer went to sleep')).toBeVisible();
  await session.unlock();
  await app.emit('power:lock-screen');
  await session.expectLocked();
  await expect(app.page.getByText('screen was locked')).toBeVisible();
});

test('auto-locks after the idle time set in settings', async () => {
  await app.page.clock.install();
  await session.createVault();
  await session.openSettings();
  await app.page.getByLabel('Lock after minutes of inactivity').fill('1');
  await app.page.getByRole('button', { name: 'Save auto-lock' }).click();
  await expect(app.page.getByRole('status')).toContainText('locks after 1 min');
  await app.page.clock.runFor(59_000);
  await expect(app.page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible();
  await app.page.clock.runFor(2_000);
  await session.expectLocked();
  await expect(app.page.getByText('period of inactivity')).toBeVisible();
});

test('change passphrase: old one needed, then only the new one unlocks', async () => {
  await session.createVault();
  await session.openSettings();
  const next = 'tangerine octopus lamp 42';
  await app.page.getByLabel('Current passphrase').fill('wrong old passphrase!');
  await app.page.getByLabel('New passphrase', { exact: true }).fill(next);
  await app.page.getByLabel('Confirm new passphrase').fill(next);
  await app.page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(app.page.getByRole('alert')).toContainText(/passphrase/i);
  await app.page.getByLabel('Current passphrase').fill(testPassphrase);
  await app.page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(app.page.getByRole('status')).toContainText('Passphrase changed', { timeout: 20_000 });
  await session.lock();
  await app.page.getByLabel('Passphrase', { exact: true }).fill(testPassphrase);
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await expect(app.page.getByRole('alert')).toContainText('Wrong passphrase');
  await session.unlock(next);
});

test('change passphrase with "Also rotate keys": says what it covers, then the new passphrase opens the same data', async () => {
  await session.createVault();
  const vault = new VaultPage(app.page);
  await vault.addRegistry({ registry: 'ghcr.io', name: 'GitHub', username: 'octocat', password: 'ghp_rotated' });
  await vault.expectSaved();
  await session.openSettings();
  const rotate = app.page.getByRole('checkbox', { name: 'Also rotate keys' });
  await expect(rotate).toHaveAccessibleDescription(/old copy still opens with the old passphrase/);
  await expect(app.page.getByText('master key in it also opens copies taken later')).toBeVisible();
  const next = 'tangerine octopus lamp 42';
  await app.page.getByLabel('Current passphrase').fill(testPassphrase);
  await app.page.getByLabel('New passphrase', { exact: true }).fill(next);
  await app.page.getByLabel('Confirm new passphrase').fill(next);
  await rotate.check();
  await app.page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(app.page.getByRole('status')).toContainText('Passphrase changed and keys rotated', { timeout: 20_000 });
  await session.lock();
  await app.page.getByLabel('Passphrase', { exact: true }).fill(testPassphrase);
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await expect(app.page.getByRole('alert')).toContainText('Wrong passphrase');
  await session.unlock(next);
  await session.openVaults();
  expect(await vault.revealedPassword('ghcr.io')).toBe('ghp_rotated');
});
