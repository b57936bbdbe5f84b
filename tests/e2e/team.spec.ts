import { expect, test } from '@playwright/test';
import { startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import type { Regvault } from './harness';
import { sampleEntry } from './registry-samples';
import { closeTeam, joinVault as join, startPerson } from './team-people';

// Three people = three browsers (separate IndexedDB) and one real relay process: an admin shares a
// vault with an Editor and a Viewer through invitations, and the UI follows each one's role.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];

const person = (name: string) => startPerson(apps, name);

const entry = sampleEntry;

test.afterEach(async () => {
  await closeTeam(apps, relay);
  relay = undefined;
});

test('an admin invites an Editor and a Viewer; roles, names and renames reach everyone and survive restarts', async () => {
  test.setTimeout(300_000);
  const [alice, bob, carol] = await Promise.all([person('Alice'), person('Bob'), person('Carol')]);
  const origins = [alice, bob, carol].map((p) => p.app.origin).join(',');
  relay = await startRelayProcess({ args: ['--allowed-origins', origins] });

  await alice.vault.newVault('Production');
  await alice.vault.addRegistry(entry('Shared before', 'before'));
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');

  const forBob = await alice.team.invite('Editor');
  await join(alice, bob, forBob, "Alice invites you to 'Production' as Editor");
  await expect(alice.team.dialog('Invite member').getByRole('status')).toContainText('Bob: Added to the vault.');
  await alice.team.closeInvite();
  const forCarol = await alice.team.invite('Viewer');
  await join(alice, carol, forCarol, "Alice invites you to 'Production' as Viewer");
  await alice.team.closeInvite();

  for (const side of [bob, carol]) await expect(side.vault.row('Shared before')).toBeVisible({ timeout: 15_000 });

  // The Viewer sees the entries but no Add / Edit / Delete; the Editor no Delete.
  await expect(carol.vault.addButton).toHaveCount(0);
  await expect(carol.vault.row('Shared before').getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(carol.vault.row('Shared before').getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(bob.vault.row('Shared before').getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(bob.vault.row('Shared before').getByRole('button', { name: 'Delete' })).toHaveCount(0);

  // The Editor adds; everyone sees it.
  await bob.vault.addRegistry(entry('Added by Bob', 'bob'));
  for (const side of [alice, carol]) {
    await expect(side.vault.row('Added by Bob')).toBeVisible({ timeout: 15_000 });
    // The author's name comes from the name cards (the lead's "Changed by" reads them).
    await expect(side.vault.row('Added by Bob')).toContainText('Changed by Bob', { timeout: 15_000 });
  }

  // Names and roles in the member list, from the verified member log and the name cards.
  const members = await carol.team.openMembers();
  for (const [name, role] of [
    ['Alice', 'Admin'],
    ['Bob', 'Editor'],
    ['Carol', 'Viewer'],
  ] as const)
    await expect(carol.team.person(members, name).getByTestId('member-role')).toHaveText(role, { timeout: 15_000 });
  await members.getByRole('button', { name: 'Done' }).click();

  // The admin raises the Editor to Manager, who can then delete.
  const adminList = await alice.team.openMembers();
  await adminList.getByLabel('Role of Bob').selectOption({ label: 'Manager' });
  await expect(adminList.getByLabel('Role of Bob')).toHaveValue('manager');
  await adminList.getByRole('button', { name: 'Done' }).click();
  const deleteOnBob = bob.vault.row('Shared before').getByRole('button', { name: 'Delete' });
  await expect(deleteOnBob).toBeVisible({ timeout: 15_000 });
  await deleteOnBob.click();
  await bob.vault.dialog('Delete Registry').getByRole('button', { name: 'Delete' }).click();
  for (const side of [alice, carol]) await expect(side.vault.row('Shared before')).toHaveCount(0, { timeout: 15_000 });

  // A rename by the admin reaches every member.
  await alice.app.page.getByRole('button', { name: 'Rename vault' }).click();
  const rename = alice.vault.dialog('Rename vault');
  await rename.getByLabel('Vault name').fill('Production EU');
  await rename.getByRole('button', { name: 'Rename' }).click();
  for (const side of [bob, carol])
    await expect(side.vault.vaultSelect.locator('option:checked')).toHaveText('Production EU', { timeout: 15_000 });

  // Lock and unlock, then a relay restart: roles and names stay, edits still flow.
  await carol.session.lock();
  await carol.session.unlock();
  await carol.vault.switchVault('Production EU');
  await relay.kill('SIGKILL');
  await relay.restart();
  for (const side of [alice, bob, carol]) await side.sync.expectStatus('Synced', 30_000);
  await alice.vault.addRegistry(entry('After restart', 'after'));
  await expect(carol.vault.row('After restart')).toBeVisible({ timeout: 15_000 });
  await expect(carol.vault.addButton).toHaveCount(0);
  await expect(carol.vault.row('After restart').getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(bob.vault.row('After restart').getByRole('button', { name: 'Delete' })).toBeVisible();

  // Activity lists each step by name, also for the Viewer who joined later: it travels in the vault and
  // every app checked each item against the signed change (and member changes against the member log).
  await carol.app.page.getByRole('button', { name: 'Activity' }).click();
  const activity = carol.app.page.getByRole('dialog', { name: 'Activity' }).getByRole('list', { name: 'Activity' });
  for (const line of [
    'Alice added after.example.com',
    'Bob deleted before.example.com',
    'Alice changed the role of Bob from Editor to Manager',
    'Bob added bob.example.com',
    'Alice added You as Viewer',
    'Alice added Bob as Editor',
    'Alice added before.example.com',
  ])
    await expect(activity).toContainText(line, { timeout: 15_000 });
  await expect(activity.getByRole('listitem').first()).toContainText('Alice added after.example.com');
  await expect(activity).not.toContainText('-secret');
});

test('the admin confirms the joiner by the same digits; a second profile using the same code is refused and the admin sees it', async () => {
  test.setTimeout(240_000);
  const [alice, bob, mallory] = await Promise.all([person('Alice'), person('Bob'), person('Mallory')]);
  const origins = [alice, bob, mallory].map((p) => p.app.origin).join(',');
  relay = await startRelayProcess({ args: ['--allowed-origins', origins] });
  await alice.vault.newVault('Production');
  await alice.vault.addRegistry(entry('Shared', 'shared'));
  await alice.sync.configure(relay.url);
  await alice.sync.expectStatus('Synced');
  const { code } = await alice.team.invite('Editor');
  await alice.team.closeInvite();

  // Bob accepts and waits; his app shows the digits he reads to Alice.
  const forBob = await bob.team.openInvitation(code);
  await expect(forBob).toContainText("Alice invites you to 'Production' as Editor");
  await forBob.getByRole('button', { name: 'Accept' }).click();
  const digits = await bob.team.waitingFingerprint(forBob, 'Alice');
  expect(digits).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);

  // Alice: a count on Members, and the request with the same digits.
  await expect(alice.app.page.getByRole('button', { name: 'Members', exact: true })).toContainText('1', {
    timeout: 30_000,
  });
  const request = await alice.team.joinRequest('Bob');
  await expect(request).toContainText("Bob wants to join 'Production' as Editor");
  await expect(request.getByTestId('joiner-fingerprint')).toHaveText(digits);
  await expect(request.getByRole('button', { name: 'Reject' })).toBeVisible();

  // Mallory got the code too: refused, and Alice is told it was used twice.
  const forMallory = await mallory.team.openInvitation(code);
  await forMallory.getByRole('button', { name: 'Accept' }).click();
  await expect(forMallory.getByRole('alert')).toContainText('Someone else already used this code');
  const members = alice.team.dialog('Members');
  await expect(members.getByRole('alert')).toContainText('this code was used twice — someone else has it', {
    timeout: 30_000,
  });
  // Nothing reached Bob before Confirm.
  await expect(forBob.getByRole('status')).toContainText('Waiting for Alice to confirm');

  await request.getByRole('button', { name: 'Confirm' }).click();
  await expect(forBob.getByRole('status')).toContainText("Joined: 'Production' is in your vault list", {
    timeout: 30_000,
  });
  await forBob.getByRole('button', { name: 'Done' }).click();
  await bob.vault.switchVault('Production');
  await expect(bob.vault.row('Shared')).toBeVisible({ timeout: 15_000 });
  await expect(members.getByRole('listitem', { name: 'Bob', exact: true })).toBeVisible({ timeout: 15_000 });
  await mallory.app.page.keyboard.press('Escape');
  await expect(mallory.team.dialog('Join vault')).toHaveCount(0);
  await expect(mallory.app.page.locator('option', { hasText: 'Production' })).toHaveCount(0);
});
