import { expect, type Locator, type Page } from '@playwright/test';

/** Backups, restore, the recovery key, secret history and move/copy, by their accessible names. */
export class BackupPage {
  constructor(readonly page: Page) {}

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  async openSettings(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await expect(this.page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  }

  /** Settings → Back up…: seals the listed vaults (others unticked) under `passphrase`; returns the saved path. */
  async backUp(vaults: readonly string[], passphrase: string): Promise<string> {
    await this.openSettings();
    await this.page.getByRole('button', { name: 'Back up…' }).click();
    const dialog = this.dialog('Back up');
    for (const box of await dialog.getByRole('group', { name: 'Vaults' }).getByRole('checkbox').all()) {
      const label = (await box.evaluate((el) => el.parentElement?.textContent ?? '')).trim();
      await box.setChecked(vaults.includes(label));
    }
    await dialog.getByLabel('Backup passphrase', { exact: true }).fill(passphrase);
    await dialog.getByLabel('Confirm backup passphrase').fill(passphrase);
    await dialog.getByRole('button', { name: 'Save backup' }).click();
    const status = dialog.getByRole('status');
    await expect(status).toContainText('saved to', { timeout: 30_000 });
    const path = /saved to (.+)\.$/.exec((await status.textContent()) ?? '')?.[1] ?? '';
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    return path;
  }

  /** Settings → Restore…: opens `file` with the passphrase; returns the dialog (vault choice, or the error). */
  async openBackup(file: string, secret: string, kind: 'passphrase' | 'recovery-key' = 'passphrase'): Promise<Locator> {
    await this.openSettings();
    await this.page.getByRole('button', { name: 'Restore…' }).click();
    const dialog = this.dialog('Restore');
    await dialog.getByLabel('Backup file').setInputFiles(file);
    if (kind === 'recovery-key') await dialog.getByRole('radio', { name: 'A recovery key' }).check();
    await dialog.getByLabel(kind === 'passphrase' ? 'Backup passphrase' : 'Recovery key', { exact: true }).fill(secret);
    await dialog.getByRole('button', { name: 'Open backup' }).click();
    await expect(dialog.getByRole('group', { name: 'Vaults in the backup' }).or(dialog.getByRole('alert'))).toBeVisible(
      {
        timeout: 30_000,
      },
    );
    return dialog;
  }

  /** Restores every vault of an opened backup; returns the report's text. */
  async restoreAll(dialog: Locator): Promise<string> {
    await dialog.getByRole('button', { name: 'Restore selected vaults' }).click();
    const report = dialog.getByRole('status');
    await expect(report).toContainText('Restore finished', { timeout: 30_000 });
    const text = ((await report.textContent()) ?? '').replace(/\s+/g, ' ');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    return text;
  }

  /** Opens a row's entry menu and picks an item ("Show history", "Move to vault", "Copy to vault"). */
  async entryMenu(row: Locator, item: string): Promise<void> {
    await row.getByRole('button', { name: 'More actions' }).click();
    await this.page.getByRole('menuitem', { name: item }).click();
  }

  /** Move to vault / Copy to vault from a row's menu into `target`. */
  async transfer(row: Locator, item: 'Move to vault' | 'Copy to vault', target: string): Promise<Locator> {
    await this.entryMenu(row, item);
    const dialog = this.dialog(item);
    await dialog.getByLabel('Target vault').selectOption({ label: target });
    await dialog.getByRole('button', { name: item === 'Move to vault' ? 'Move' : 'Copy', exact: true }).click();
    return dialog;
  }
}
