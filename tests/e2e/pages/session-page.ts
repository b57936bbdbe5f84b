import { expect, type Page } from '@playwright/test';

/** A passphrase strong enough for the Create vault form. */
export const testPassphrase = 'correct horse battery staple';

/** The Create vault / Unlock / Lock flows, by their accessible names. */
export class SessionPage {
  constructor(readonly page: Page) {}

  async createVault(passphrase = testPassphrase, yourName?: string): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Create vault' })).toBeVisible();
    if (yourName !== undefined) await this.page.getByLabel('Your name').fill(yourName);
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByLabel('Confirm passphrase').fill(passphrase);
    await this.page.getByRole('button', { name: 'Create vault' }).click();
    await this.expectUnlocked();
  }

  async unlock(passphrase = testPassphrase): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Unlock' })).toBeVisible();
    await this.page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.page.getByRole('button', { name: 'Unlock' }).click();
    await this.expectUnlocked();
  }

  async lock(): Promise<void> {
    await this.page.getByRole('button', { name: 'Lock', exact: true }).click();
    await this.expectLocked();
  }

  async expectUnlocked(): Promise<void> {
    // Creating a profile calibrates Argon2id toward ~1 s, then derives the key: allow for it.
    await expect(this.page.getByRole('button', { name: 'Lock', exact: true })).toBeVisible({ timeout: 30_000 });
  }

  async expectLocked(): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Unlock' })).toBeVisible({ timeout: 15_000 });
  }

  async openSettings(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  }

  async openVaults(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Vaults' }).click();
  }
}
