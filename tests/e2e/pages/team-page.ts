import { expect, type Locator, type Page } from '@playwright/test';

/** Team vaults — Members, Invite member, Join vault — by the accessible names issue #13 fixes. */
export class TeamPage {
  constructor(readonly page: Page) {}

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  /** Admin: "Invite member" with `role` (its label: Viewer, Editor, …); returns the code (the dialog stays open). */
  async invite(role: string): Promise<{ code: string }> {
    await this.page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = this.dialog('Invite member');
    const code = dialog.getByLabel('Invitation code');
    // Opening makes an invitation with the default role; choosing a role makes the one to send.
    await expect(code).toHaveValue(/^rvi1-/, { timeout: 15_000 });
    const first = await code.inputValue();
    await dialog.getByLabel('Role', { exact: true }).selectOption({ label: role });
    if (role !== 'Editor') await expect(code).not.toHaveValue(first, { timeout: 15_000 });
    await expect(code).toHaveValue(/^rvi1-/, { timeout: 15_000 });
    await expect(dialog.getByRole('button', { name: 'Copy' })).toBeVisible();
    return { code: await code.inputValue() };
  }

  /**
   * Admin: the join request of `name` ("Bob wants to join 'Production' as Editor") in the open Invite
   * member dialog, else in Members (opened here); returns it once it shows.
   */
  async joinRequest(name: string): Promise<Locator> {
    const invite = this.dialog('Invite member');
    const where = (await invite.isVisible()) ? invite : await this.openMembers();
    const request = where.getByRole('region', { name: `Join request of ${name}` });
    await expect(request).toBeVisible({ timeout: 30_000 });
    return request;
  }

  /** Admin: compares the digits of `name`'s join request with `fingerprint`, then Confirm. */
  async confirmJoiner(name: string, sentence: string, fingerprint: string): Promise<void> {
    const request = await this.joinRequest(name);
    await expect(request).toContainText(sentence);
    await expect(request.getByTestId('joiner-fingerprint')).toHaveText(fingerprint);
    await request.getByRole('button', { name: 'Confirm' }).click();
    await expect(request).toHaveCount(0, { timeout: 30_000 });
  }

  /** Invitee: after Accept, "Waiting for <admin> to confirm" and the digits to read to the admin. */
  async waitingFingerprint(dialog: Locator, admin: string): Promise<string> {
    await expect(dialog.getByRole('status')).toContainText(`Waiting for ${admin} to confirm`, { timeout: 15_000 });
    return (await dialog.getByTestId('join-fingerprint').innerText()).trim();
  }

  /** Admin: "Invite member" for a pipeline: ticks "This is a pipeline or service" (Viewer); returns the code. */
  async inviteService(): Promise<{ code: string }> {
    await this.page.getByRole('button', { name: 'Invite member' }).click();
    const dialog = this.dialog('Invite member');
    const code = dialog.getByLabel('Invitation code');
    await expect(code).toHaveValue(/^rvi1-/, { timeout: 15_000 });
    const first = await code.inputValue();
    await dialog.getByRole('checkbox', { name: 'This is a pipeline or service' }).check();
    await expect(dialog.getByLabel('Role', { exact: true })).toHaveValue('reader');
    await expect(code).not.toHaveValue(first, { timeout: 15_000 });
    await expect(code).toHaveValue(/^rvi1-/, { timeout: 15_000 });
    return { code: await code.inputValue() };
  }

  async closeInvite(): Promise<void> {
    await this.dialog('Invite member').getByRole('button', { name: 'Done' }).click();
  }

  /** Invitee: "Join vault", pastes the code; returns the dialog showing who invites to what, and the fingerprint. */
  async openInvitation(code: string): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Join vault' }).click();
    const dialog = this.dialog('Join vault');
    await dialog.getByLabel('Invitation code').fill(code);
    return dialog;
  }

  /** Opens the member list. */
  async openMembers(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Members', exact: true }).click();
    return this.dialog('Members');
  }

  /** The person named `name` in the open member list. */
  person(members: Locator, name: string): Locator {
    return members.getByRole('listitem', { name, exact: true });
  }
}
