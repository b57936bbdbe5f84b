import { cpSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../integration/sync/harness';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { SyncPage } from './pages/sync-page';
import { VaultPage } from './pages/vault-page';
import { sampleEntry } from './registry-samples';

// Two devices = two browsers (separate IndexedDB) and one real relay process, linked through the UI.

let relay: RelayProcess | undefined;
const apps: Regvault[] = [];

type Device = Readonly<{ app: Regvault; vault: VaultPage; sync: SyncPage }>;

async function device(): Promise<Device> {
  const app = await launchRegvault();
  apps.push(app);
  await new SessionPage(app.page).createVault();
  return { app, vault: new VaultPage(app.page), sync: new SyncPage(app.page) };
}

const entry = sampleEntry;

test.afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await relay?.kill();
  if (relay) removeDataDir(relay);
  relay = undefined;
});

test('links a device through the UI, syncs live, keeps editing offline and converges after the relay restarts', async () => {
  test.setTimeout(180_000);
  const [a, b] = await Promise.all([device(), device()]);
  // The harness serves each renderer over http on its own port; the relay admits those origins only.
  relay = await startRelayProcess({ args: ['--allowed-origins', `${a.app.origin},${b.app.origin}`] });

  // A: an entry made before sync was on is sent when it is switched on.
  await a.vault.addRegistry(entry('Before sync', 'before'));
  await a.sync.configure(relay.url);
  await a.sync.expectStatus('Synced');

  // B shows its pairing code, A links it, B receives the vault: both show the same fingerprint, and the
  // vault appears in B's list with A's entry.
  const code = await b.sync.openDeviceCode();
  const shownOnA = await a.sync.linkDevice(code);
  expect(await b.sync.receive(relay.url)).toBe(shownOnA);
  // Received as "Linked vault", it takes the vault's shared name (A's "Personal") once it caught up.
  await expect(b.vault.vaultSelect.locator('option:checked')).toHaveText('Personal', { timeout: 15_000 });
  await expect(b.vault.row('Before sync')).toBeVisible({ timeout: 15_000 });
  await b.sync.expectStatus('Synced');

  // Live: an entry added in A appears in B's open vault.
  await a.vault.addRegistry(entry('Added live', 'live'));
  await expect(b.vault.row('Added live')).toBeVisible({ timeout: 15_000 });
  await a.sync.expectStatus('Synced');
  await b.sync.expectStatus('Synced');

  // The relay goes away: both say so, both keep editing, their changes wait.
  await relay.kill('SIGKILL');
  await a.sync.expectStatus('Offline');
  await b.sync.expectStatus('Offline');
  await a.vault.addRegistry(entry('Offline on A', 'offline-a'));
  await b.vault.addRegistry(entry('Offline on B', 'offline-b'));
  await a.sync.expectStatus('Offline · 1 pending');
  await b.sync.expectStatus('Offline · 1 pending');

  // Same port, same data: both reconnect, send their queue and converge.
  await relay.restart();
  for (const side of [a, b]) {
    await side.sync.expectStatus('Synced', 30_000);
    for (const name of ['Before sync', 'Added live', 'Offline on A', 'Offline on B'])
      await expect(side.vault.row(name)).toBeVisible({ timeout: 15_000 });
    await expect(side.vault.rows).toHaveCount(4);
  }

  // Lock stops the engines; unlock starts them again from the stored state.
  const session = new SessionPage(a.app.page);
  await session.lock();
  await session.unlock();
  await a.sync.expectStatus('Synced');
  await b.vault.addRegistry(entry('After unlock', 'after-unlock'));
  await expect(a.vault.row('After unlock')).toBeVisible({ timeout: 15_000 });
});

test('the Sync settings refuse plain ws:// to another machine and say to use wss://', async () => {
  const a = await device();
  const refused = await a.sync.submitSettings('ws://relay.example.com:8787', true);
  await expect(refused.getByRole('alert')).toHaveText(
    /allowed only to this machine.*Use wss:\/\/relay\.example\.com:8787 instead/,
  );
  await expect(refused.getByLabel('Relay URL')).toHaveAttribute('aria-invalid', 'true');
  // This machine over ws://, any machine over wss:// (sync left off: no relay runs there).
  await a.sync.configure('ws://127.0.0.1:8787', false);
  await a.sync.configure('wss://relay.example.com:8787', false);
  await a.app.page.getByRole('button', { name: 'Sync', exact: true }).click();
  await expect(a.sync.dialog('Sync').getByLabel('Relay URL')).toHaveValue('wss://relay.example.com:8787');
});

test('after a relay rollback the user resets sync: local data and unsent edits are kept and sent again', async () => {
  test.setTimeout(180_000);
  const [a, b] = await Promise.all([device(), device()]);
  const current = await startRelayProcess({ args: ['--allowed-origins', `${a.app.origin},${b.app.origin}`] });
  relay = current;
  const backup = `${current.dataDir}-backup`;
  const restart = async (copy: (from: string, to: string) => void, from: string, to: string) => {
    await current.kill();
    copy(from, to);
    await current.restart();
  };
  await a.vault.addRegistry(entry('Kept', 'kept'));
  await a.sync.configure(current.url);
  await a.sync.expectStatus('Synced');

  // The relay is backed up, gets one more change, then is restored from the backup: the change is gone there.
  await restart((from, to) => cpSync(from, to, { recursive: true }), current.dataDir, backup);
  await a.vault.addRegistry(entry('Lost by the relay', 'lost'));
  await a.sync.expectStatus('Synced', 30_000);
  const restore = (from: string, to: string) => {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  };
  await restart(restore, backup, current.dataDir);
  await a.sync.expectStatus(/Rollback detected/, 30_000);
  await a.vault.addRegistry(entry('Unsent', 'unsent'));

  await a.sync.resetSync();
  await a.sync.expectStatus('Synced', 30_000);
  await expect(a.vault.rows).toHaveCount(3);

  // A device linked now receives everything from the relay, the change it had lost included.
  const code = await b.sync.openDeviceCode();
  await a.sync.linkDevice(code);
  await b.sync.receive(current.url);
  for (const name of ['Kept', 'Lost by the relay', 'Unsent'])
    await expect(b.vault.row(name)).toBeVisible({ timeout: 15_000 });
  rmSync(backup, { recursive: true, force: true });
});
