import { expect, type Locator, type Page } from '@playwright/test';

/** Sync settings, the status indicator and both halves of linking a device, by accessible names. */
export class SyncPage {
  constructor(readonly page: Page) {}

  /** The open vault's sync indicator ("Synced", "N pending", "Offline", or an error). */
  get status(): Locator {
    return this.page.getByRole('status', { name: 'Sync status' });
  }

  dialog(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }

  /** Opens the vault's Sync dialog, points it at `relayUrl`, turns sync on or off and saves. */
  async configure(relayUrl: string, enabled = true): Promise<void> {
    await expect(await this.submitSettings(relayUrl, enabled)).toBeHidden();
  }

  /** Opens the Sync dialog (unless open), fills it in and presses Save; returns the dialog (closed if saved). */
  async submitSettings(relayUrl: string, enabled: boolean): Promise<Locator> {
    const dialog = this.dialog('Sync');
    if (!(await dialog.isVisible())) await this.page.getByRole('button', { name: 'Sync', exact: true }).click();
    await dialog.getByLabel('Relay URL').fill(relayUrl);
    await dialog.getByRole('switch', { name: 'Sync this vault' }).setChecked(enabled);
    await dialog.getByRole('button', { name: 'Save' }).click();
    return dialog;
  }

  /** New device: opens "Link to another device" and returns the pairing code it shows (the dialog stays open). */
  async openDeviceCode(): Promise<string> {
    await this.page.getByRole('button', { name: 'Link to another device' }).click();
    const code = this.dialog('Link to another device').getByLabel('Pairing code');
    await expect(code).toHaveValue(/^rv2-/);
    return code.inputValue();
  }

  /** Existing device: links the device with `code` to the open vault; returns the fingerprint it shows. */
  async linkDevice(code: string): Promise<string> {
    await this.page.getByRole('button', { name: 'Link device', exact: true }).click();
    const dialog = this.dialog('Link device');
    await dialog.getByLabel('Pairing code').fill(code);
    await dialog.getByRole('button', { name: 'Link', exact: true }).click();
    const status = dialog.getByRole('status');
    await expect(status).toContainText('Device linked', { timeout: 15_000 });
    const fingerprint = fingerprintIn(await status.innerText());
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden();
    return fingerprint;
  }

  /** New device, "Link to another device" open: receives from `relayUrl`; returns the fingerprint shown, then Done. */
  async receive(relayUrl: string): Promise<string> {
    const dialog = this.dialog('Link to another device');
    await dialog.getByLabel('Relay URL').fill(relayUrl);
    await dialog.getByRole('button', { name: 'Receive vaults' }).click();
    const status = dialog.getByRole('status');
    await expect(status).toContainText('Vault added', { timeout: 15_000 });
    const fingerprint = fingerprintIn(await status.innerText());
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    return fingerprint;
  }

  /** After a fatal sync error: "Reset sync…", reads what the confirmation says it does, and confirms. */
  async resetSync(): Promise<void> {
    await this.page.getByRole('button', { name: 'Reset sync…' }).click();
    const dialog = this.dialog('Reset sync state');
    await expect(dialog).toContainText('Every entry on this device stays');
    await expect(dialog).toContainText('changes that were not sent yet are kept');
    await dialog.getByRole('button', { name: 'Reset and reconnect' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
  }

  async expectStatus(text: string | RegExp, timeout = 15_000): Promise<void> {
    await expect(this.status).toHaveText(text, { timeout });
  }
}

/** The 12-digit fingerprint in a dialog's status text. */
function fingerprintIn(text: string): string {
  const found = /\d{3} \d{3} \d{3} \d{3}/.exec(text);
  if (!found) throw new Error(`no fingerprint in: ${text}`);
  return found[0];
}
