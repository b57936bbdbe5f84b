import { expect, test } from '@playwright/test';
import { startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import type { Regvault } from './harness';
import { sampleEntry } from './registry-samples';
import { closeTeam, joinVault, startPerson } from './team-people';

// Issue #14 with three browsers and a real relay: the admin removes the Viewer (who stops receiving and is
// told), every entry is flagged "Rotation recommended" with her name, the Editor rotates one secret (its
// flag clears everywhere), "Needs rotation" lists the rest, and when the Editor leaves the admin's app
// changes the key by itself.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];

test.afterEach(async () => {
  await closeTeam(apps, relay);
  relay = undefined;
});

test('remove the Viewer, rotation flags and the filter, then the Editor leaves and the admin rotates by itself', async () => {
  test.setTimeout(300_000);
  const [alice, bob, carol] = await Promise.all([
    startPerson(apps, 'Alice'),
    startPerson(apps, 'Bob'),
    startPerson(apps, 'Carol'),
  ]);
  relay = await startRelayProcess({
    args: ['--allowed-origins', [alice, bob, carol].map((p) => p.app.origin).join(',')],
  });

  await alice.vault.newVault('Production');
  await alice.vault.addRegistry(sampleEntry('Shared one', 'one'));
  await alice.vault.addRegistry(sampleEntry('Shared two', 'two'));
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');
  await joinVault(alice, bob, await alice.team.invite('Editor'), "Alice invites you to 'Production' as Editor");
  await alice.team.closeInvite();
  await joinVault(alice, carol, await alice.team.invite('Viewer'), "Alice invites you to 'Production' as Viewer");
  await alice.team.closeInvite();
  for (const side of [bob, carol]) await expect(side.vault.row('Shared two')).toBeVisible({ timeout: 15_000 });

  // The confirmation says what happens; Esc cancels and changes nothing.
  let members = await alice.team.openMembers();
  await expect(alice.team.person(members, 'Alice').getByRole('button', { name: 'Remove member' })).toHaveCount(0);
  // One device (a lost laptop) can go alone; this device cannot remove itself (it leaves instead).
  await expect(alice.team.person(members, 'Bob').getByRole('button', { name: 'Remove device' })).toHaveCount(1);
  await expect(alice.team.person(members, 'Alice').getByRole('button', { name: 'Remove device' })).toHaveCount(0);
  await alice.team.person(members, 'Carol').getByRole('button', { name: 'Remove member' }).click();
  let confirm = alice.team.dialog('Remove member');
  await expect(confirm).toContainText('will lose access to everything written to this vault from now on');
  await expect(confirm).toContainText('What Carol already saw cannot be taken back');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await alice.app.page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  members = alice.team.dialog('Members');
  await alice.team.person(members, 'Carol').getByRole('button', { name: 'Remove member' }).click();
  confirm = alice.team.dialog('Remove member');
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(confirm.getByRole('status')).toContainText('Carol removed; the vault key changed.', { timeout: 30_000 });
  await expect(confirm.getByRole('status')).toContainText('2 entries are flagged "Rotation recommended"');
  await confirm.getByRole('button', { name: 'Done' }).click();
  members = alice.team.dialog('Members');
  await expect(alice.team.person(members, 'Carol')).toHaveCount(0);
  await members.getByRole('button', { name: 'Done' }).click();

  // Carol is told; the flags reach the Editor with Carol's name.
  await expect(carol.app.page.getByRole('alert').filter({ hasText: 'Alice removed you from this vault' })).toBeVisible({
    timeout: 15_000,
  });
  for (const side of [alice, bob])
    for (const name of ['Shared one', 'Shared two']) {
      await expect(side.vault.badge(name, 'Rotation recommended')).toBeVisible({ timeout: 15_000 });
      await expect(side.vault.row(name)).toContainText('Carol had access');
    }

  // Written after the removal: the Editor receives it, the removed Viewer never does.
  await alice.vault.addRegistry(sampleEntry('After removal', 'after'));
  await expect(bob.vault.row('After removal')).toBeVisible({ timeout: 15_000 });
  await expect(bob.vault.badge('After removal', 'Rotation recommended')).toHaveCount(0);
  await expect(carol.vault.row('After removal')).toHaveCount(0);
  await expect(carol.vault.row('Shared two')).toBeVisible();

  // The Editor rotates one secret: its flag clears at the admin too.
  await bob.vault.edit('Shared one', { password: 'one-secret-2' });
  await expect(alice.vault.badge('Shared one', 'Rotation recommended')).toHaveCount(0, { timeout: 15_000 });
  await expect(alice.vault.badge('Shared two', 'Rotation recommended')).toBeVisible();

  // "Needs rotation" lists exactly the flagged ones, and works with search.
  const filter = alice.app.page.getByRole('button', { name: 'Needs rotation' });
  await expect(filter).toHaveAttribute('aria-pressed', 'false');
  await filter.focus();
  await alice.app.page.keyboard.press('Enter');
  await expect(filter).toHaveAttribute('aria-pressed', 'true');
  await alice.vault.expectNames(['Shared two']);
  await alice.vault.search.fill('one');
  await expect(alice.vault.rows).toHaveCount(0);
  await alice.vault.search.fill('two');
  await alice.vault.expectNames(['Shared two']);
  await alice.vault.search.fill('');
  await filter.click();
  await alice.vault.expectNames(['After removal', 'Shared one', 'Shared two']);

  // The Editor leaves: the vault goes from their device, and the admin's app changes the key by itself.
  await bob.app.page.getByRole('button', { name: 'Leave vault' }).click();
  const leave = bob.team.dialog('Leave vault');
  await expect(leave).toContainText("You stop receiving 'Production'");
  await leave.getByRole('button', { name: 'Leave vault' }).click();
  await expect(leave).toBeHidden({ timeout: 30_000 });
  await expect(bob.app.page.getByRole('status').filter({ hasText: "You left 'Production'" })).toBeVisible();
  await expect(bob.vault.vaultSelect.locator('option', { hasText: 'Production' })).toHaveCount(0);
  for (const name of ['Shared one', 'After removal'])
    await expect(alice.vault.row(name)).toContainText('Bob had access', { timeout: 30_000 });

  await alice.app.page.getByRole('button', { name: 'Activity' }).click();
  const activity = alice.app.page.getByRole('dialog', { name: 'Activity' }).getByRole('list', { name: 'Activity' });
  for (const line of ['You changed the vault key', 'You removed Carol', 'Bob rotated the secret of one.example.com'])
    await expect(activity).toContainText(line, { timeout: 15_000 });
});
