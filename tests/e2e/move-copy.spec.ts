import { expect, test } from '@playwright/test';
import { startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import type { Regvault } from './harness';
import { BackupPage } from './pages/backup-page';
import { closeTeam, joinVault, startPerson } from './team-people';

// Move to vault / Copy to vault from the entry's menu: an admin promotes Staging → Production (a team vault,
// Activity in both); a Viewer of Production may copy out of it but not move out of it, nor move anything into it.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];
test.afterEach(async () => {
  await closeTeam(apps, relay);
  relay = undefined;
});

test('promote Staging → Production; a Viewer copies out but is refused moves, and nothing changes', async () => {
  test.setTimeout(240_000);
  const [alice, bob] = await Promise.all([startPerson(apps, 'Alice'), startPerson(apps, 'Bob')]);
  relay = await startRelayProcess({ args: ['--allowed-origins', [alice, bob].map((p) => p.app.origin).join(',')] });
  const aliceMenu = new BackupPage(alice.app.page);
  const bobMenu = new BackupPage(bob.app.page);

  await alice.vault.newVault('Production');
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');
  await joinVault(alice, bob, await alice.team.invite('Viewer'), "Alice invites you to 'Production' as Viewer");
  await alice.team.closeInvite();

  await alice.vault.newVault('Staging');
  await alice.vault.addRegistry({ name: 'Release', registry: 'ghcr.io', username: 'release-bot', password: 'rel-1' });
  await alice.vault.edit('Release', { password: 'rel-2' });
  const moving = await aliceMenu.transfer(alice.vault.row('Release'), 'Move to vault', 'Production');
  await expect(moving).toBeHidden();
  await expect(alice.vault.rows).toHaveCount(0);
  const activity = async (who: typeof alice, text: string) => {
    await who.app.page.getByRole('button', { name: 'Activity' }).click();
    const dialog = who.app.page.getByRole('dialog', { name: 'Activity' });
    await expect(dialog.getByRole('listitem').first()).toContainText(text);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  };
  await activity(alice, 'You deleted ghcr.io');
  await alice.vault.switchVault('Production');
  await expect(alice.vault.row('Release')).toBeVisible();
  expect(await alice.vault.revealedPassword('Release')).toBe('rel-2');
  await activity(alice, 'You added ghcr.io');
  await alice.sync.expectStatus('Synced');

  // Bob (Viewer) sees it arrive, with its history; his menu offers no move out of Production.
  await expect(bob.vault.row('Release')).toBeVisible({ timeout: 30_000 });
  await activity(bob, 'Alice added ghcr.io');
  await bob.vault.row('Release').getByRole('button', { name: 'More actions' }).click();
  await expect(bob.app.page.getByRole('menuitem', { name: 'Show history' })).toBeVisible();
  await expect(bob.app.page.getByRole('menuitem', { name: 'Move to vault' })).toHaveCount(0);
  await bob.app.page.keyboard.press('Escape');
  const copying = await bobMenu.transfer(bob.vault.row('Release'), 'Copy to vault', 'Personal');
  await expect(copying).toBeHidden();
  await expect(bob.vault.row('Release')).toBeVisible();
  await bob.vault.switchVault('Personal');
  expect(await bob.vault.revealedPassword('Release')).toBe('rel-2');
  await bobMenu.entryMenu(bob.vault.row('Release'), 'Show history');
  await expect(bobMenu.dialog('Secret history').getByRole('listitem')).toHaveCount(1);
  await bobMenu.dialog('Secret history').getByRole('button', { name: 'Close', exact: true }).last().click();

  // Moving his own entry into Production needs write there: refused, and both vaults stay as they were.
  await bob.vault.addRegistry({ name: 'Mine', registry: 'quay.io', username: 'bob', password: 'bob-secret' });
  const refused = await bobMenu.transfer(bob.vault.row('Mine'), 'Move to vault', 'Production');
  await expect(refused.getByRole('alert')).toContainText('Verify you have write permission');
  await refused.getByRole('button', { name: 'Cancel' }).click();
  await expect(bob.vault.row('Mine')).toBeVisible();
  await bob.vault.switchVault('Production');
  await bob.vault.expectNames(['Release']);
  await alice.vault.expectNames(['Release']);
});
