import { expect, type Locator, type Page } from '@playwright/test';

/** What the add / edit form is filled with; absent fields are left as they are. */
export type RegistryFields = Readonly<{
  preset?: string;
  registry?: string;
  username?: string;
  password?: string;
  email?: string;
  name?: string;
  notes?: string;
  pipelines?: string;
  /** Repositories the pipelines use, comma separated ("team/api, team/web"). */
  repositories?: string;
  pullOnly?: boolean;
  /** A `datetime-local` value, e.g. `2020-01-01T09:30`. */
  expires?: string;
  rotateEveryDays?: string;
  insecure?: boolean;
  caCertificate?: string;
}>;

/** The vault screen — registry list, add / edit / delete dialogs, search, vault switcher — by accessible names. */
export class VaultPage {
  constructor(readonly page: Page) {}

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Registries' });
  }

  /** Data rows only (the header row has column headers, not cells). */
  get rows(): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('cell') });
  }

  /** The row with an element reading exactly `text`: its name, registry or username. */
  row(text: string): Locator {
    return this.rows.filter({ has: this.page.getByText(text, { exact: true }) });
  }

  get addButton(): Locator {
    return this.page.getByRole('region', { name: 'Registries' }).getByRole('button', { name: 'Add Registry' });
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search registries' });
  }

  get vaultSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Vault', exact: true });
  }

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  get addForm(): Locator {
    return this.dialog('Add Registry');
  }

  get editForm(): Locator {
    return this.dialog('Edit Registry');
  }

  /** The form's field by its label (exact, so "Name" is not "Username"). */
  field(form: Locator, label: string): Locator {
    return form.getByLabel(label, { exact: true });
  }

  async openAddForm(): Promise<Locator> {
    await this.addButton.click();
    await expect(this.addForm).toBeVisible();
    return this.addForm;
  }

  async fill(form: Locator, fields: RegistryFields): Promise<void> {
    if (fields.preset !== undefined) await this.field(form, 'Preset').selectOption({ label: fields.preset });
    const text: ReadonlyArray<readonly [string, string | undefined]> = [
      ['Registry URL', fields.registry],
      ['Username', fields.username],
      ['Password', fields.password],
      ['Email (Optional)', fields.email],
      ['Name', fields.name],
      ['Notes', fields.notes],
      ['Pipelines', fields.pipelines],
      ['Repositories', fields.repositories],
      ['Expires', fields.expires],
      ['Rotate every (days)', fields.rotateEveryDays],
      ['CA certificate (PEM)', fields.caCertificate],
    ];
    for (const [label, value] of text) if (value !== undefined) await this.field(form, label).fill(value);
    if (fields.insecure !== undefined)
      await this.field(form, 'Allow plain HTTP (insecure)').setChecked(fields.insecure);
    if (fields.pullOnly !== undefined) await this.field(form, 'Pull only').setChecked(fields.pullOnly);
  }

  /** Adds a registry through the form and waits until its row is listed and the change is on disk. */
  async addRegistry(fields: RegistryFields): Promise<void> {
    const form = await this.openAddForm();
    await this.fill(form, fields);
    await form.getByRole('button', { name: 'Add Registry' }).click();
    await expect(form).toBeHidden();
    await this.expectSaved();
  }

  /** Submits the add form expecting a refusal; returns the form (still open) for inspection. */
  async addRefused(fields: RegistryFields): Promise<Locator> {
    const form = await this.openAddForm();
    await this.fill(form, fields);
    await form.getByRole('button', { name: 'Add Registry' }).click();
    await expect(form.getByRole('alert')).toBeVisible();
    return form;
  }

  async openEdit(rowText: string): Promise<Locator> {
    await this.row(rowText).getByRole('button', { name: 'Edit', exact: true }).click();
    await expect(this.editForm).toBeVisible();
    return this.editForm;
  }

  async edit(rowText: string, fields: RegistryFields): Promise<void> {
    const form = await this.openEdit(rowText);
    await this.fill(form, fields);
    await form.getByRole('button', { name: 'Save Changes' }).click();
    await expect(form).toBeHidden();
    await this.expectSaved();
  }

  async openDelete(rowText: string): Promise<Locator> {
    await this.row(rowText).getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = this.dialog('Delete Registry');
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Reveals a row's password and returns the text shown. */
  async revealedPassword(rowText: string): Promise<string> {
    const row = this.row(rowText);
    await row.getByRole('button', { name: 'Reveal password' }).click();
    const secret = row.locator('code');
    await expect(secret).toBeVisible();
    return (await secret.textContent()) ?? '';
  }

  /** A row's "Test login" button (in its Actions cell). */
  testLoginButton(rowText: string): Locator {
    return this.row(rowText).getByRole('button', { name: 'Test login' });
  }

  /** Runs "Test login" on a row and waits until the check is done. */
  async testLogin(rowText: string): Promise<void> {
    const button = this.testLoginButton(rowText);
    await button.click();
    await expect(button).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
  }

  /** Opens a row's "Test access" dialog. */
  async openTestAccess(rowText: string): Promise<Locator> {
    await this.row(rowText).getByRole('button', { name: 'Test access' }).click();
    const dialog = this.dialog('Test access');
    await expect(dialog).toBeVisible();
    return dialog;
  }

  /** Tests access to a repository in the open Test access dialog; returns its result (a status region). */
  async testAccess(dialog: Locator, repository: string): Promise<Locator> {
    await dialog.getByLabel('Repository', { exact: true }).fill(repository);
    const button = dialog.getByRole('button', { name: 'Test access' });
    await button.click();
    await expect(button).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
    return dialog.getByRole('status');
  }

  /** The toolbar's "Reused" filter (a toggle button). */
  get reusedFilter(): Locator {
    return this.page.getByRole('button', { name: 'Reused', exact: true });
  }

  /** Orders the list: "Name" or "Last used". */
  async sortBy(label: 'Name' | 'Last used'): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Sort by' }).selectOption({ label });
  }

  /** One status badge of a row, e.g. "Login OK" or "Login failed". */
  badge(rowText: string, label: string): Locator {
    return this.row(rowText).getByRole('listitem').filter({ hasText: label });
  }

  /** The message and hint of a row's failed login check (shown when its check fails, or on Details). */
  checkDetail(rowText: string): Locator {
    return this.row(rowText).getByRole('alert');
  }

  /** Runs "Test login" in the add / edit form and waits until the check is done. */
  async testFormLogin(form: Locator): Promise<void> {
    const button = form.getByRole('button', { name: 'Test login' });
    await button.click();
    await expect(button).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
  }

  async expectSaved(): Promise<void> {
    await expect(this.page.getByRole('status').filter({ hasText: 'All changes saved' })).toBeVisible();
  }

  /** The listed rows, in order, start with these names. */
  async expectNames(names: readonly string[]): Promise<void> {
    await expect(this.rows).toHaveCount(names.length);
    await expect(this.rows).toContainText([...names]);
  }

  async newVault(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New vault' }).click();
    const dialog = this.dialog('New vault');
    await dialog.getByLabel('Vault name').fill(name);
    await dialog.getByRole('button', { name: 'Create vault' }).click();
    await expect(dialog).toBeHidden();
    await expect(this.vaultSelect.locator('option:checked')).toHaveText(name);
  }

  async switchVault(name: string): Promise<void> {
    await this.vaultSelect.selectOption({ label: name });
    await expect(this.vaultSelect.locator('option:checked')).toHaveText(name);
    await expect(this.page.getByText('Opening vault…')).toBeHidden();
  }
}
