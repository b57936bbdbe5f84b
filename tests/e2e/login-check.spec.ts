import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerCertificate, type CertificatePair } from '../integration/registry/certificates';
import { findFreePort, startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

const user = 'ci';
const password = 's3cret-pass';
const privatePreset = 'Private / self-hosted registry';
const wrongPasswordHint = 'Check if password/token has expired';

let registry: RunningRegistry;
let tlsRegistry: RunningRegistry;
let certificate: CertificatePair;
let certDir: string;
let app: Regvault;
let session: SessionPage;
let vault: VaultPage;

test.beforeAll(async () => {
  certDir = await mkdtemp(join(tmpdir(), 'regvault-e2e-tls-'));
  certificate = await createServerCertificate(certDir, 'registry', 'IP:127.0.0.1');
  [registry, tlsRegistry] = await Promise.all([
    startRegistry({ auth: 'htpasswd', users: { [user]: password } }),
    startRegistry({ auth: 'htpasswd', users: { [user]: password }, tls: certificate }),
  ]);
});

test.afterAll(async () => {
  await Promise.all([registry?.stop(), tlsRegistry?.stop()]);
  await rm(certDir, { recursive: true, force: true });
});

test.beforeEach(async () => {
  app = await launchRegvault();
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
  await session.createVault();
});

test.afterEach(async () => {
  await app.close();
});

test('Test login on a row stores Login OK across a reload; a wrong password shows Login failed and what to do', async () => {
  await vault.addRegistry({ preset: privatePreset, registry: registry.host, username: user, password, name: 'CI' });
  await expect(vault.row('CI').getByText('Not verified')).toBeVisible();

  await vault.testLogin('CI');
  await expect(vault.badge('CI', 'Login OK')).toBeVisible();
  await expect(vault.badge('CI', 'Login OK')).toHaveAttribute('title', /^Logged in successfully /);
  await expect(vault.row('CI').getByText('checked just now')).toBeVisible();
  await expect(vault.row('CI').getByText('Not verified')).toHaveCount(0);
  await vault.expectSaved();

  await app.page.reload();
  await session.unlock();
  await expect(vault.badge('CI', 'Login OK')).toBeVisible();

  // A new password is a new credential: the old check no longer says anything about it, and an entry that
  // was checked before is checked again by itself (issue #17: test authentication after rotation).
  await vault.edit('CI', { password: 'wrong-pass' });
  await expect(vault.badge('CI', 'Login OK')).toHaveCount(0);
  await expect(vault.badge('CI', 'Login failed')).toBeVisible();
  const detail = vault.checkDetail('CI');
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(`${registry.host} rejected the credentials for ci (HTTP 401).`);
  await expect(detail).toContainText(wrongPasswordHint);

  // Dismissed, the detail comes back from the row's Details button, and the failure survives a reload.
  await app.page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
  await app.page.reload();
  await session.unlock();
  await expect(vault.badge('CI', 'Login failed')).toBeVisible();
  await vault
    .row('CI')
    .getByRole('button', { name: /Details/ })
    .click();
  await expect(vault.checkDetail('CI')).toContainText(wrongPasswordHint);
});

test('the add form checks what is typed, shows the result inline, and stores it with the new entry', async () => {
  const form = await vault.openAddForm();
  await vault.fill(form, { preset: privatePreset, registry: registry.host, username: user, password: 'wrong-pass' });
  await vault.fill(form, { name: 'CI' });
  await vault.testFormLogin(form);
  const failure = form.getByRole('alert');
  await expect(failure).toContainText('Login failed.');
  await expect(failure).toContainText(`${registry.host} rejected the credentials for ci (HTTP 401).`);
  await expect(failure).toContainText(wrongPasswordHint);

  // The result is about the values it tested: changing one of them takes it away.
  await vault.fill(form, { password });
  await expect(failure).toBeHidden();
  await vault.testFormLogin(form);
  await expect(form.getByRole('status').filter({ hasText: 'Login OK.' })).toContainText(
    `Logged in to ${registry.host} as ci`,
  );
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await expect(vault.badge('CI', 'Login OK')).toBeVisible();
});

test('offline: a closed port is refused with what to check, and the form still saves the entry', async () => {
  const closedHost = `127.0.0.1:${await findFreePort()}`;
  const form = await vault.openAddForm();
  await vault.fill(form, { preset: privatePreset, registry: closedHost, username: user, password, name: 'Offline' });
  await vault.testFormLogin(form);
  const failure = form.getByRole('alert');
  await expect(failure).toContainText(`${closedHost} refused the connection.`);
  await expect(failure).toContainText(`Check that the registry runs and listens on ${closedHost}.`);
  await expect(failure).toContainText('You can still save');
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await vault.expectSaved();
  await expect(vault.badge('Offline', 'Login failed')).toBeVisible();
  await expect(vault.badge('Offline', 'Login failed')).toHaveAttribute('title', /refused the connection/);

  // Saved without a check: nothing is claimed about it. Test login on the row then says why it fails.
  const sameClosedPort = closedHost.replace('127.0.0.1', 'localhost');
  await vault.addRegistry({
    preset: privatePreset,
    registry: sameClosedPort,
    username: user,
    password,
    name: 'Unchecked',
  });
  await expect(vault.row('Unchecked').getByText('Not verified')).toBeVisible();
  await vault.testLogin('Unchecked');
  await expect(vault.badge('Unchecked', 'Login failed')).toBeVisible();
  await expect(vault.checkDetail('Unchecked')).toContainText(`${sameClosedPort} refused the connection.`);
  await expect(vault.checkDetail('Unchecked')).toContainText(
    `Check that the registry runs and listens on ${sameClosedPort}.`,
  );
});

test('editing, a blank password tests the stored one; a check of the unchanged entry is kept even on Cancel', async () => {
  await vault.addRegistry({ preset: privatePreset, registry: registry.host, username: user, password, name: 'CI' });
  let form = await vault.openEdit('CI');
  await expect(vault.field(form, 'Password')).toHaveValue('');
  await vault.testFormLogin(form);
  await expect(form.getByRole('status').filter({ hasText: 'Login OK.' })).toBeVisible();
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(vault.badge('CI', 'Login OK')).toBeVisible();

  // A failed check of a new password is saved with it, as the entry's last check.
  form = await vault.openEdit('CI');
  await vault.fill(form, { password: 'wrong-pass' });
  await vault.testFormLogin(form);
  await expect(form.getByRole('alert')).toContainText(wrongPasswordHint);
  await form.getByRole('button', { name: 'Save Changes' }).click();
  await expect(form).toBeHidden();
  await expect(vault.badge('CI', 'Login failed')).toBeVisible();
  await expect(vault.badge('CI', 'Login OK')).toHaveCount(0);
});

test('a self-signed registry fails without its CA certificate and logs in with it', async () => {
  await vault.addRegistry({ preset: privatePreset, registry: tlsRegistry.host, username: user, password, name: 'TLS' });
  await vault.testLogin('TLS');
  await expect(vault.badge('TLS', 'Login failed')).toBeVisible();
  await expect(vault.checkDetail('TLS')).toContainText("Self-signed certificates need the registry's CA certificate");
  await app.page.keyboard.press('Escape');

  const form = await vault.openEdit('TLS');
  await vault.fill(form, { caCertificate: certificate.cert });
  await vault.testFormLogin(form);
  await expect(form.getByRole('status').filter({ hasText: 'Login OK.' })).toContainText(
    `Logged in to ${tlsRegistry.host}`,
  );
  await form.getByRole('button', { name: 'Save Changes' }).click();
  await expect(form).toBeHidden();
  await expect(vault.badge('TLS', 'Login OK')).toBeVisible();
  await vault.testLogin('TLS');
  await expect(vault.badge('TLS', 'Login OK')).toBeVisible();
  await expect(vault.badge('TLS', 'Login failed')).toHaveCount(0);
});

test('while a check runs the button is busy and the row says so; it ends when the registry hangs up', async () => {
  // A port that accepts connections and never answers: the check waits until the sockets are closed.
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  const address = silent.address();
  const host = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  try {
    await vault.addRegistry({ preset: privatePreset, registry: host, username: user, password, name: 'Silent' });
    const button = vault.testLoginButton('Silent');
    await button.click();
    await expect(button).toHaveAttribute('aria-busy', 'true');
    await expect(button).toBeDisabled();
    await expect(vault.row('Silent').getByRole('status')).toHaveText('Testing login…');
    await expect.poll(() => sockets.size).toBeGreaterThan(0);
  } finally {
    await new Promise<void>((done) => {
      silent.close(() => done());
      for (const socket of sockets) socket.destroy();
    });
  }
  await expect(vault.badge('Silent', 'Login failed')).toBeVisible();
  await expect(vault.testLoginButton('Silent')).not.toHaveAttribute('aria-busy', 'true');
  await expect(vault.testLoginButton('Silent')).toBeEnabled();
  await expect(vault.row('Silent').getByText('Testing login…')).toHaveCount(0);
});
