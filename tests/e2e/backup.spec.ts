import { expect, test } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openBackupFile } from '../../renderer/src/lib/backup/restore-backup';
import { startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import type { Regvault } from './harness';
import { BackupPage } from './pages/backup-page';
import { closeTeam, startPerson } from './team-people';

// Backup and restore across two browsers (separate IndexedDB): Alice backs up a personal vault with history and
// a synced vault; Bob restores them into his own fresh profile, twice; wrong passphrase, damaged and truncated
// files are refused and change nothing; the file on disk holds none of the plaintext.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];
const backupPassphrase = 'quiet orange tractor window';

test.afterEach(async () => {
  await closeTeam(apps, relay);
  relay = undefined;
});

test('back up two vaults (one synced), restore into a fresh profile in another browser; refusals change nothing', async () => {
  test.setTimeout(240_000);
  const [alice, bob] = await Promise.all([startPerson(apps, 'Alice'), startPerson(apps, 'Bob')]);
  relay = await startRelayProcess({ args: ['--allowed-origins', [alice, bob].map((p) => p.app.origin).join(',')] });
  const backups = new BackupPage(alice.app.page);

  await alice.vault.newVault('Staging');
  await alice.vault.addRegistry({
    name: 'Hub',
    registry: 'docker.io',
    username: 'alice',
    password: 'hub-first-secret',
    notes: 'staging notes',
  });
  await alice.vault.edit('Hub', { password: 'hub-second-secret' });
  await alice.vault.addRegistry({
    name: 'GitHub',
    registry: 'ghcr.io',
    username: 'alice-bot',
    password: 'ghcr-token-value',
  });
  await alice.vault.newVault('Production');
  await alice.vault.addRegistry({
    name: 'Prod registry',
    registry: 'registry.prod.example.com:5000',
    username: 'deployer',
    password: 'prod-deploy-secret',
  });
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');

  const path = await backups.backUp(['Staging', 'Production'], backupPassphrase);
  expect(path).toBe(
    join(alice.app.home, 'Backups', `regvault-backup-${new Date().toISOString().slice(0, 10)}.rvbackup`),
  );
  const file = new Uint8Array(await readFile(path));

  // No plaintext in the file; the positive control opens the same file and finds every word inside.
  const payload = await openBackupFile(file, { passphrase: backupPassphrase });
  const inside = [Buffer.from(JSON.stringify(payload)), ...payload.vaults.map((v) => Buffer.from(v.state, 'base64'))];
  for (const word of [
    'hub-first-secret',
    'hub-second-secret',
    'ghcr-token-value',
    'prod-deploy-secret',
    'staging notes',
    'alice-bot',
    'registry.prod.example.com',
    'Staging',
    'Production',
  ]) {
    expect(inside.some((part) => part.includes(word))).toBe(true);
    expect(Buffer.from(file).includes(word)).toBe(false);
  }
  const staging = payload.vaults.find((v) => v.name === 'Staging');
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Buffer.from(staging?.state ?? '', 'base64'));
  expect(JSON.stringify(doc.getMap('entries').toJSON())).toContain('hub-first-secret'); // the history is in it

  // Bob's fresh profile: a wrong passphrase, a damaged and a truncated file are named and restore nothing.
  const bobBackups = new BackupPage(bob.app.page);
  const vaultCount = async () => bob.vault.vaultSelect.locator('option').count();
  await bob.session.openVaults();
  const before = await vaultCount();
  let dialog = await bobBackups.openBackup(path, 'not the passphrase');
  await expect(dialog.getByRole('alert')).toContainText('Wrong backup passphrase');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const damaged = file.slice();
  damaged[file.length - 10] = (damaged[file.length - 10] ?? 0) ^ 0x55;
  const damagedPath = join(bob.app.home, 'damaged.rvbackup');
  await writeFile(damagedPath, damaged);
  dialog = await bobBackups.openBackup(damagedPath, backupPassphrase);
  await expect(dialog.getByRole('alert')).toContainText('damaged');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const truncatedPath = join(bob.app.home, 'truncated.rvbackup');
  await writeFile(truncatedPath, file.slice(0, Math.floor(file.length / 2)));
  dialog = await bobBackups.openBackup(truncatedPath, backupPassphrase);
  await expect(dialog.getByRole('alert')).toContainText('cut short');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await bob.session.openVaults();
  expect(await vaultCount()).toBe(before);

  // The real restore: both vaults come back; the synced one says what this device still needs.
  dialog = await bobBackups.openBackup(path, backupPassphrase);
  await expect(dialog).toContainText('Staging — 2 entries');
  await expect(dialog).toContainText('Production — 1 entry (synced vault)');
  const report = await bobBackups.restoreAll(dialog);
  expect(report).toContain('Staging: restored, 2 new entries');
  expect(report).toContain('this device is not one of its members');
  await bob.session.openVaults();
  await bob.vault.switchVault('Staging');
  await bob.vault.expectNames(['GitHub', 'Hub']);
  expect(await bob.vault.revealedPassword('Hub')).toBe('hub-second-secret');
  await bobBackups.entryMenu(bob.vault.row('Hub'), 'Show history');
  const history = bobBackups.dialog('Secret history');
  await expect(history.getByRole('listitem')).toHaveCount(1);
  await history.getByRole('button', { name: 'Reveal' }).click();
  await expect(history.getByLabel('Previous secret', { exact: true })).toHaveText('hub-first-secret');
  await history.getByRole('button', { name: 'Close', exact: true }).last().click();
  await bob.vault.switchVault('Production');
  await bob.vault.expectNames(['Prod registry']);

  // Restoring the same backup again merges: nothing is duplicated.
  dialog = await bobBackups.openBackup(path, backupPassphrase);
  await expect(dialog.getByRole('combobox', { name: 'How to restore Staging' })).toHaveValue('merge');
  expect(await bobBackups.restoreAll(dialog)).toContain('Staging: merged into the vault already here, no new entries');
  await bob.session.openVaults();
  await bob.vault.switchVault('Staging');
  await bob.vault.expectNames(['GitHub', 'Hub']);
  expect(await vaultCount()).toBe(before + 2);
});
