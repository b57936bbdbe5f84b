import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchRegvault, type Regvault } from './harness';
import { BackupPage } from './pages/backup-page';
import { SessionPage, testPassphrase } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

// The recovery kit: offered right after Create vault, shown once; a forgotten passphrase is reset with it and
// everything opens; a rotated (new) recovery key makes the old one useless.

let app: Regvault;
test.afterEach(async () => {
  await app.close();
});

async function readKey(dialog: ReturnType<BackupPage['dialog']>): Promise<string> {
  const key = (await dialog.getByRole('status', { name: 'Your recovery key' }).textContent()) ?? '';
  expect(key).toMatch(/^([0-9A-Z]{4}-){13}[0-9A-Z]{4}$/);
  return key;
}

async function resetWith(page: BackupPage['page'], key: string, passphrase: string) {
  await page.getByRole('button', { name: 'Reset passphrase with recovery key' }).click();
  await page.getByLabel('Recovery key', { exact: true }).fill(key);
  await page.getByLabel('New passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('Confirm new passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Reset passphrase', exact: true }).click();
}

test('forgot the passphrase: reset with the recovery key, everything opens; the old key fails after rotation', async () => {
  test.setTimeout(120_000);
  app = await launchRegvault();
  const session = new SessionPage(app.page);
  const vault = new VaultPage(app.page);
  const backups = new BackupPage(app.page);
  await session.createVault();
  // Offered once, right after Create vault.
  const offer = app.page.getByRole('region', { name: 'Recovery key' });
  await offer.getByRole('button', { name: 'Create recovery key' }).click();
  let dialog = backups.dialog('Recovery key');
  const first = await readKey(dialog);
  await expect(dialog.getByRole('button', { name: 'Print recovery kit' })).toBeVisible();
  await dialog.getByRole('button', { name: 'I have saved it' }).click();
  await expect(offer).toBeHidden();
  await vault.addRegistry({ name: 'Hub', registry: 'docker.io', username: 'me', password: 'kept-secret' });

  await session.lock();
  await resetWith(app.page, first.toLowerCase().replace(/-/g, ' '), 'a completely new passphrase');
  await session.expectUnlocked();
  expect(await vault.revealedPassword('Hub')).toBe('kept-secret');
  await session.lock();
  // The forgotten passphrase no longer opens it; the new one does.
  await app.page.getByLabel('Passphrase', { exact: true }).fill(testPassphrase);
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await expect(app.page.getByRole('alert')).toContainText('Wrong passphrase');
  await session.unlock('a completely new passphrase');

  // Settings → Rotate recovery key: a new key is shown once, and the old one is refused.
  await backups.openSettings();
  const section = app.page.getByRole('region', { name: 'Recovery key' });
  await section.getByRole('button', { name: 'Rotate recovery key' }).click();
  dialog = backups.dialog('Recovery key');
  const second = await readKey(dialog);
  expect(second).not.toBe(first);
  await dialog.getByRole('button', { name: 'I have saved it' }).click();
  await session.lock();
  await resetWith(app.page, first, 'yet another passphrase here');
  await expect(app.page.getByRole('alert')).toContainText('does not open this profile');
  // A typo is told apart from an old key.
  await app.page.getByLabel('Recovery key', { exact: true }).fill(`X${second.slice(1)}`);
  await app.page.getByRole('button', { name: 'Reset passphrase', exact: true }).click();
  await expect(app.page.getByRole('alert')).toContainText('typo');
  await app.page.getByRole('button', { name: 'Back to Unlock' }).click();
  await session.unlock('a completely new passphrase');
  await session.openVaults();
  expect(await vault.revealedPassword('Hub')).toBe('kept-secret');

  // Automatic backups are sealed with the recovery key: choosing the folder turns them on and writes the first.
  await backups.openSettings();
  await app.page.getByLabel('Keep the last backups').fill('3');
  await app.page.getByRole('button', { name: 'Choose folder…' }).click();
  const folder = join(app.home, 'Automatic backups');
  const written = join(folder, `regvault-backup-${new Date().toISOString().slice(0, 10)}.rvbackup`);
  await expect(app.page.getByRole('status').filter({ hasText: 'Backed up to' })).toContainText(written);
  await expect(app.page.getByText(`Daily to ${folder}, keeping the last 3.`)).toBeVisible();
  const file = await readFile(written);
  expect(file.subarray(0, 8).toString()).toBe('RVBACKUP');
  expect(file[9]).toBe(2); // sealed with the recovery key
  expect(file.includes('kept-secret')).toBe(false);
});
