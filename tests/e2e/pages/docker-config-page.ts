import { expect, type Locator, type Page } from '@playwright/test';

/** The Docker config screen and its Import / Kubernetes secret dialogs, by accessible names. */
export class DockerConfigPage {
  constructor(readonly page: Page) {}

  get screen(): Locator {
    return this.page.getByRole('region', { name: 'Docker config', exact: true });
  }

  /** The registries config.json holds, as the screen lists them. */
  get fileTable(): Locator {
    return this.page.getByRole('table', { name: 'Registries in Docker config' });
  }

  fileRow(registry: string): Locator {
    return this.fileTable.getByRole('row').filter({ hasText: registry });
  }

  /** The open vault's entries with their checkboxes and their comparison with config.json. */
  get entries(): Locator {
    return this.page.getByRole('list', { name: 'Vault entries' }).getByRole('listitem');
  }

  entry(text: string): Locator {
    return this.entries.filter({ hasText: text });
  }

  /** The reviewed plan's group (Added, Changed, Unchanged, Removed). */
  planGroup(title: 'Added' | 'Changed' | 'Unchanged' | 'Removed' | 'Credential helper'): Locator {
    return this.page.getByRole('list', { name: title, exact: true });
  }

  get warnings(): Locator {
    return this.page.getByRole('list', { name: 'Warnings' });
  }

  get applyButton(): Locator {
    return this.screen.getByRole('button', { name: 'Apply', exact: true });
  }

  get alert(): Locator {
    return this.screen.getByRole('alert');
  }

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  /** Opens the screen and waits until config.json has been read (or its error shown) and the vault is open. */
  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Docker config' }).click();
    await expect(this.screen).toBeVisible();
    await expect(this.screen.getByText("Reading Docker's config…")).toBeHidden();
    await expect(this.screen.getByText('Opening vault…')).toBeHidden();
  }

  async reload(): Promise<void> {
    await this.screen.getByRole('button', { name: 'Reload' }).click();
    await expect(this.screen.getByText("Reading Docker's config…")).toBeHidden();
  }

  async selectAll(): Promise<void> {
    await this.screen.getByRole('checkbox', { name: 'Select all' }).check();
  }

  async choose(text: string, chosen = true): Promise<void> {
    await this.entry(text).getByRole('checkbox').setChecked(chosen);
  }

  async chooseRemoval(registry: string): Promise<void> {
    await this.screen.getByRole('checkbox', { name: `Remove ${registry}` }).check();
  }

  /** Clicks Review changes and waits for the plan (or its error). */
  async review(): Promise<void> {
    await this.screen.getByRole('button', { name: 'Review changes' }).click();
    await expect(this.screen.getByRole('heading', { name: /^Changes to / }).or(this.alert)).toBeVisible();
  }

  /** Applies the reviewed plan and returns the result panel. */
  async apply(): Promise<Locator> {
    await this.applyButton.click();
    const result = this.screen.getByRole('status', { name: 'Applied' });
    await expect(result).toBeVisible();
    return result;
  }

  async openImport(): Promise<Locator> {
    await this.screen.getByRole('button', { name: 'Import from Docker config' }).click();
    const dialog = this.dialog('Import from Docker config');
    await expect(dialog.getByText(/^From /)).toBeVisible();
    return dialog;
  }

  async openKubeSecret(): Promise<Locator> {
    await this.screen.getByRole('button', { name: 'Kubernetes secret' }).click();
    const dialog = this.dialog('Kubernetes secret');
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
