/**
 * The team-vault screenshots for `npm run screenshots`: a real relay, an admin (Alice) and two invitees
 * (Bob, an Editor, and Carol, a Viewer) in three browsers — Members, Invite member, the invitation as
 * the invitee sees it, and a Viewer's list.
 */
import { expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { removeDataDir, startRelayProcess } from '../integration/sync/harness';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { SyncPage } from './pages/sync-page';
import { TeamPage } from './pages/team-page';
import { VaultPage, type RegistryFields } from './pages/vault-page';

const viewport = { width: 1200, height: 780 };
const shared: readonly RegistryFields[] = [
  { preset: 'GitHub Container Registry', name: 'GitHub Packages', username: 'acme-release-bot', password: 'ghp_x8Rk' },
  { preset: 'Docker Hub', name: 'Docker Hub (CI)', username: 'acme-ci', password: 'dckr_pat_4mQ7' },
];

async function open(name: string): Promise<Regvault> {
  const app = await launchRegvault({ viewport });
  await new SessionPage(app.page).createVault(undefined, name);
  await app.page.getByRole('region', { name: 'Recovery key' }).getByRole('button', { name: 'Not now' }).click();
  return app;
}

// The invitee accepts and waits; the admin confirms by the same digits (join-request.png shows it once).
async function accept(page: Page, code: string, admin: Page, name: string, shot?: string): Promise<void> {
  const team = new TeamPage(page);
  const dialog = await team.openInvitation(code);
  await dialog.getByRole('button', { name: 'Accept' }).click();
  const digits = await team.waitingFingerprint(dialog, 'Alice');
  const request = await new TeamPage(admin).joinRequest(name);
  await expect(request.getByTestId('joiner-fingerprint')).toHaveText(digits);
  if (shot) await admin.screenshot({ path: shot });
  await request.getByRole('button', { name: 'Confirm' }).click();
  await new TeamPage(admin).dialog('Members').getByRole('button', { name: 'Done' }).click();
  await expect(dialog.getByRole('status')).toContainText('Joined', { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await new VaultPage(page).switchVault('Production');
  await new SyncPage(page).expectStatus('Synced', 30_000);
}

/** Issue #14: the admin removes Carol (removal-confirmation.png), then the flagged list (rotation-badge.png). */
async function shootRemoval(page: Page, out: string): Promise<void> {
  const team = new TeamPage(page);
  const members = await team.openMembers();
  await team.person(members, 'Carol').getByRole('button', { name: 'Remove member' }).click();
  const confirm = team.dialog('Remove member');
  await expect(confirm).toContainText('cannot be taken back');
  await page.screenshot({ path: join(out, 'removal-confirmation.png') });
  await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
  await confirm.getByRole('button', { name: 'Done' }).click({ timeout: 30_000 });
  await team.dialog('Members').getByRole('button', { name: 'Done' }).click();
  const vault = new VaultPage(page);
  await expect(vault.badge('GitHub Packages', 'Rotation recommended')).toBeVisible({ timeout: 15_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(out, 'rotation-badge.png') });
}

/**
 * Writes members.png, invite-member.png, invitation.png, join-request.png, viewer-list.png, activity.png, removal-confirmation.png
 * and rotation-badge.png into `out`.
 */
export async function shootTeam(out: string): Promise<void> {
  const apps = await Promise.all(['Alice', 'Bob', 'Carol'].map(open));
  const [alice, bob, carol] = apps;
  if (!alice || !bob || !carol) throw new Error('apps did not start');
  const relay = await startRelayProcess({ args: ['--allowed-origins', apps.map((a) => a.origin).join(',')] });
  try {
    const vault = new VaultPage(alice.page);
    await vault.newVault('Production');
    for (const fields of shared) await vault.addRegistry(fields);
    await new SyncPage(alice.page).configure(relay.url);
    await new SyncPage(alice.page).expectStatus('Synced');
    const team = new TeamPage(alice.page);

    const forBob = await team.invite('Editor');
    await alice.page.screenshot({ path: join(out, 'invite-member.png') });
    await team.closeInvite();
    const invitation = await new TeamPage(bob.page).openInvitation(forBob.code);
    await expect(invitation).toContainText("Alice invites you to 'Production' as Editor");
    await bob.page.screenshot({ path: join(out, 'invitation.png') });
    await bob.page.keyboard.press('Escape');
    await accept(bob.page, forBob.code, alice.page, 'Bob', join(out, 'join-request.png'));
    const forCarol = await team.invite('Viewer');
    await team.closeInvite();
    await accept(carol.page, forCarol.code, alice.page, 'Carol');

    const members = await team.openMembers();
    await expect(members.getByLabel('Role of Carol')).toHaveValue('reader', { timeout: 15_000 });
    await alice.page.screenshot({ path: join(out, 'members.png') });
    await members.getByRole('button', { name: 'Done' }).click();

    const viewerList = new VaultPage(carol.page);
    await expect(viewerList.row('GitHub Packages')).toBeVisible({ timeout: 15_000 });
    await carol.page.mouse.move(0, 0);
    await carol.page.screenshot({ path: join(out, 'viewer-list.png') });

    await carol.page.getByRole('button', { name: 'Activity' }).click();
    const activity = carol.page.getByRole('dialog', { name: 'Activity' });
    await expect(activity).toContainText('Alice added You as Viewer', { timeout: 15_000 });
    await carol.page.screenshot({ path: join(out, 'activity.png') });
    await shootRemoval(alice.page, out);
  } finally {
    for (const app of apps) await app.close();
    await relay.kill();
    removeDataDir(relay);
  }
}
