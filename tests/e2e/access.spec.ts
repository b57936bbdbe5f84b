import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchBearer, listStorageFiles, pushTestImage } from '../integration/registry/registry-contents';
import { startRegistry, type RunningRegistry } from '../integration/registry/registry-server';
import { createTokenSigner } from '../integration/registry/registry-token';
import { startTokenServer, type RunningTokenServer } from '../integration/registry/token-server';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

const service = 'regvault-e2e-access';
const issuer = 'regvault-e2e-issuer';
const secrets = { alice: 'alice-e2e-token-6060', admin: 'admin-e2e-token-7070' };

let dir: string;
let tokens: RunningTokenServer;
let registry: RunningRegistry;
let app: Regvault;
let vault: VaultPage;

test.beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regvault-e2e-access-'));
  const signer = await createTokenSigner(dir, 'access');
  tokens = await startTokenServer({
    users: secrets,
    acl: {
      alice: { 'team/api': ['pull'], 'team/web': ['pull', 'push'], 'team/new': ['pull', 'push'] },
      admin: { 'team/api': ['*'], 'team/web': ['*'] },
    },
    issuer,
    service,
    signer,
  });
  registry = await startRegistry({
    auth: 'token',
    token: { realm: tokens.realm, service, issuer, rootCertBundle: signer.root.cert },
  });
  for (const name of ['team/api', 'team/web']) {
    await pushTestImage(
      registry.url,
      name,
      'v1',
      await fetchBearer(tokens.realm, service, 'admin', secrets.admin, `repository:${name}:pull,push`),
    );
  }
});

test.afterAll(async () => {
  await registry?.stop();
  await tokens?.stop();
  await rm(dir, { recursive: true, force: true });
});

test.beforeEach(async () => {
  app = await launchRegvault();
  vault = new VaultPage(app.page);
  await new SessionPage(app.page).createVault();
});

test.afterEach(async () => {
  await app.close();
});

test('Test access reports pull only, pull and push, and not found by the repository, and leaves the registry as it was', async () => {
  const files = await listStorageFiles(registry.dataDir);
  await vault.addRegistry({
    preset: 'Private / self-hosted registry',
    registry: registry.host,
    username: 'alice',
    password: secrets.alice,
    name: 'Team registry',
    repositories: 'team/api, team/web',
    pullOnly: true,
  });
  const dialog = await vault.openTestAccess('Team registry');
  // The entry's first repository is filled in; the others are offered.
  await expect(dialog.getByLabel('Repository', { exact: true })).toHaveValue('team/api');

  const pullOnly = await vault.testAccess(dialog, 'team/api');
  await expect(pullOnly).toContainText('Can pull only — pipelines that push will fail');
  await expect(pullOnly).not.toContainText('This token can push');

  const both = await vault.testAccess(dialog, 'team/web');
  await expect(both).toContainText('Can pull and push team/web');
  // The entry's pipelines only pull: a token that can push is more than they need.
  await expect(both).toContainText('This token can push; a read-only token is safer');

  const missing = await vault.testAccess(dialog, 'team/new');
  await expect(missing).toContainText('Repository not found (some registries require pre-creation)');
  await expect(missing).toContainText('Check if the repository exists');

  const tag = await vault.testAccess(dialog, 'team/api:v9');
  await expect(tag).toContainText('The tag v9 is not in team/api');

  await vault.testAccess(dialog, 'Team/API');
  await expect(dialog.getByRole('alert')).toContainText('without the registry host');

  await app.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(vault.row('Team registry').getByRole('button', { name: 'Test access' })).toBeFocused();
  expect(await listStorageFiles(registry.dataDir)).toEqual(files);
});

test('a token that carries its expiry fills Expires "from the token"; the user can still override it', async () => {
  const exp = Math.floor(Date.UTC(2030, 0, 1) / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jwt = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ aud: 'https://acme.azurecr.io', exp })}.c2lnbmF0dXJl`;
  const form = await vault.openAddForm();
  await vault.fill(form, {
    preset: 'Private / self-hosted registry',
    registry: 'acr.example.com',
    username: 'sp',
    password: jwt,
  });
  const expires = vault.field(form, 'Expires');
  const local = await app.page.evaluate((ms) => {
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, exp * 1000);
  await expect(expires).toHaveValue(local);
  await expect(form).toContainText("Filled in from the token (the token's exp claim)");
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await expect(vault.badge('acr.example.com', 'Expires in')).toHaveAttribute('title', /from the token\.$/);

  // An ECR authorization token says when it expires too (its payload's expiration).
  const ecr = Buffer.from(
    JSON.stringify({
      payload: 'cGF5bG9hZA==',
      datakey: 'ZGF0YWtleQ==',
      version: '2',
      type: 'DATA_KEY',
      expiration: exp,
    }),
  ).toString('base64');
  const edit = await vault.openEdit('acr.example.com');
  await vault.fill(edit, { password: ecr });
  await expect(edit).toContainText('Filled in from the token (the ECR authorization token)');
  // Typed by the user, the date is theirs.
  await vault.fill(edit, { expires: '2029-06-01T08:00' });
  await expect(edit).not.toContainText('Filled in from the token');
  await edit.getByRole('button', { name: 'Save Changes' }).click();
  await expect(edit).toBeHidden();
  await expect(vault.badge('acr.example.com', 'Expires in')).not.toHaveAttribute('title', /from the token/);
});

test('Test access in the add form tests the values as typed, before the entry is saved', async () => {
  const form = await vault.openAddForm();
  await vault.fill(form, {
    preset: 'Private / self-hosted registry',
    registry: registry.host,
    username: 'alice',
    password: secrets.alice,
    repositories: 'team/web',
  });
  await form.getByRole('button', { name: 'Test access' }).click();
  const dialog = vault.dialog('Test access');
  await expect(dialog.getByLabel('Repository', { exact: true })).toHaveValue('team/web');
  await expect(await vault.testAccess(dialog, 'team/web')).toContainText('Can pull and push team/web');
  await app.page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  // The form is still open, with everything as typed.
  await expect(form).toBeVisible();
  await expect(vault.field(form, 'Username')).toHaveValue('alice');
});
