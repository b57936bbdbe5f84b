// People of the team end-to-end tests: each one a browser of their own (separate IndexedDB) with a
// profile named after them, and the way an invitee joins through the UI (the admin confirms).
import { expect } from '@playwright/test';
import { removeDataDir, type RelayProcess } from '../integration/sync/harness';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { SyncPage } from './pages/sync-page';
import { TeamPage } from './pages/team-page';
import { VaultPage } from './pages/vault-page';

/** One person's app and its page objects. */
export type Person = Readonly<{
  name: string;
  app: Regvault;
  vault: VaultPage;
  sync: SyncPage;
  team: TeamPage;
  session: SessionPage;
}>;

/** Launches a browser with a new profile named `name`; `apps` collects it for closing. */
export async function startPerson(apps: Regvault[], name: string): Promise<Person> {
  const app = await launchRegvault();
  apps.push(app);
  const session = new SessionPage(app.page);
  await session.createVault(undefined, name);
  return {
    name,
    app,
    session,
    vault: new VaultPage(app.page),
    sync: new SyncPage(app.page),
    team: new TeamPage(app.page),
  };
}

/**
 * The invitee pastes the code, compares the sentence, accepts and waits; the admin sees "<invitee> wants
 * to join" with the same digits and confirms; the invitee opens the vault once synced.
 */
export async function joinVault(
  admin: Person,
  invitee: Person,
  invitation: Readonly<{ code: string }>,
  sentence: string,
  vaultName = 'Production',
): Promise<void> {
  const dialog = await invitee.team.openInvitation(invitation.code);
  await expect(dialog).toContainText(sentence);
  await dialog.getByRole('button', { name: 'Accept' }).click();
  const adminName = sentence.split(' invites you')[0] ?? '';
  const fingerprint = await invitee.team.waitingFingerprint(dialog, adminName);
  const inviteeName = invitee.name;
  const role = sentence.slice(sentence.lastIndexOf(' as ') + 4);
  await admin.team.confirmJoiner(inviteeName, `${inviteeName} wants to join '${vaultName}' as ${role}`, fingerprint);
  await expect(dialog.getByRole('status')).toContainText(`Joined: '${vaultName}' is in your vault list`, {
    timeout: 30_000,
  });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await invitee.vault.switchVault(vaultName);
  await invitee.sync.expectStatus('Synced', 30_000);
}

/** After a test: closes every app, then kills the relay and removes its data. */
export async function closeTeam(apps: Regvault[], relay: RelayProcess | undefined): Promise<void> {
  for (const app of apps.splice(0)) await app.close();
  await relay?.kill();
  if (relay) removeDataDir(relay);
}
