import { expect, test } from '@playwright/test';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';
import { perPreset } from './registry-samples';

let app: Regvault;
let session: SessionPage;
let vault: VaultPage;

test.beforeEach(async () => {
  app = await launchRegvault();
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
});

test.afterEach(async () => {
  await app.close();
});

test('adds an entry from each preset, with the preset filling URL, username and the password control', async () => {
  await session.createVault();
  await expect(
    app.page.getByText('No registries yet. Click Add Registry to save your first credentials.'),
  ).toBeVisible();

  const form = await vault.openAddForm();
  await vault.fill(form, { preset: 'Amazon ECR' });
  await expect(vault.field(form, 'Username')).toHaveValue('AWS');
  await expect(form.getByText('ECR authorization token (expires every 12 hours)')).toBeVisible();
  await vault.fill(form, { preset: 'Google Container Registry / Artifact Registry' });
  await expect(vault.field(form, 'Registry URL')).toHaveValue('gcr.io');
  await expect(vault.field(form, 'Username')).toHaveValue('_json_key');
  await expect(vault.field(form, 'Password')).toHaveJSProperty('tagName', 'TEXTAREA');
  await vault.fill(form, { preset: 'Docker Hub' });
  await expect(vault.field(form, 'Registry URL')).toHaveValue('docker.io');
  await expect(vault.field(form, 'Password')).toHaveAttribute('type', 'password');
  await expect(form.getByText('Docker Hub access token (recommended) or password')).toBeVisible();
  await form.getByRole('button', { name: 'Cancel' }).click();

  for (const fields of perPreset) await vault.addRegistry(fields);

  await vault.expectNames(perPreset.map((p) => p.name).sort((a, b) => a.localeCompare(b)));
  for (const entry of perPreset) {
    const row = vault.row(entry.name);
    await expect(row.getByRole('cell').nth(1)).toContainText(entry.registryShown);
    await expect(row.getByRole('cell').nth(2)).toContainText(entry.shows);
  }
  expect(await vault.revealedPassword('Google')).toContain('"type": "service_account"');
  await expect(vault.row('Google').getByRole('button', { name: 'Hide password' })).toBeVisible();
});

test('refuses hub.docker.com with the seed hint and a duplicate registry, keeping what was typed', async () => {
  await session.createVault();
  const refused = await vault.addRefused({ registry: 'hub.docker.com', username: 'acme', password: 'dckr_pat_one' });
  await expect(refused.getByRole('alert')).toContainText('For Docker Hub, use docker.io not hub.docker.com');
  await expect(vault.field(refused, 'Registry URL')).toBeFocused();
  await expect(vault.field(refused, 'Username')).toHaveValue('acme');
  await expect(vault.field(refused, 'Password')).toHaveValue('dckr_pat_one');
  await vault.fill(refused, { registry: 'docker.io' });
  await refused.getByRole('button', { name: 'Add Registry' }).click();
  await expect(refused).toBeHidden();
  await vault.expectNames(['docker.io']);

  const duplicate = await vault.addRefused({
    registry: 'index.docker.io',
    username: 'other',
    password: 'dckr_pat_two',
  });
  await expect(duplicate.getByRole('alert')).toContainText('docker.io already has an entry');
  await expect(vault.field(duplicate, 'Registry URL')).toHaveValue('index.docker.io');
  await expect(vault.field(duplicate, 'Password')).toHaveValue('dckr_pat_two');
  await duplicate.getByRole('button', { name: 'Cancel' }).click();
  await expect(vault.rows).toHaveCount(1);
});

test('edit shows the URL read-only; a blank password keeps the secret, a new one replaces it', async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'GitHub Container Registry',
    name: 'GitHub',
    username: 'octocat',
    password: 'ghp_original',
  });

  const form = await vault.openEdit('GitHub');
  await expect(vault.field(form, 'Registry URL')).toHaveValue('ghcr.io');
  await expect(vault.field(form, 'Registry URL')).not.toBeEditable();
  await expect(
    form.getByText(
      'Registry URL cannot be changed after creation. To use a different URL, delete and recreate the registry entry.',
    ),
  ).toBeVisible();
  await expect(vault.field(form, 'Password')).toHaveValue('');
  await expect(form.getByText('Leave blank to keep the existing password', { exact: false }).first()).toBeVisible();
  await vault.fill(form, { username: 'hubot', notes: 'rotated quarterly' });
  await form.getByRole('button', { name: 'Save Changes' }).click();
  await expect(form).toBeHidden();
  await expect(vault.row('GitHub')).toContainText('hubot');
  expect(await vault.revealedPassword('GitHub')).toBe('ghp_original');

  await vault.edit('GitHub', { password: 'ghp_rotated' });
  await expect(vault.row('GitHub').locator('code')).toHaveText('ghp_rotated');
  await vault.row('GitHub').getByRole('button', { name: 'Hide password' }).click();
  await expect(vault.row('GitHub').locator('code')).toHaveCount(0);
});

test('delete confirms, names the pipelines, and removes the row only when confirmed', async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'Quay',
    name: 'Quay robots',
    username: 'acme+ci',
    password: 'quay-token',
    pipelines: 'build-api, deploy-prod\nnightly',
  });
  let dialog = await vault.openDelete('Quay robots');
  await expect(dialog).toContainText('Pipelines using this registry will fail: build-api, deploy-prod, nightly.');
  await expect(dialog).toContainText('This action cannot be undone.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(vault.rows).toHaveCount(1);

  dialog = await vault.openDelete('Quay robots');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(dialog).toBeHidden();
  await vault.expectSaved();
  await expect(vault.table).toBeHidden();
  await expect(app.page.getByText('No registries yet.')).toBeVisible();
});

test('Activity lists each change by who made it, newest first, and never a secret', async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'GitHub Container Registry',
    name: 'GitHub',
    username: 'octocat',
    password: 'ghp_one',
  });
  await expect(vault.row('GitHub')).toContainText('Changed by You, ');
  await vault.edit('GitHub', { username: 'hubot' });
  await vault.edit('GitHub', { password: 'ghp_two' });
  const dialog = await vault.openDelete('GitHub');
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await vault.expectSaved();

  await app.page.getByRole('button', { name: 'Activity' }).click();
  const activity = app.page.getByRole('dialog', { name: 'Activity' });
  await expect(activity.getByRole('list', { name: 'Activity' }).getByRole('listitem')).toHaveText([
    /^You deleted ghcr\.io/,
    /^You rotated the secret of ghcr\.io/,
    /^You edited ghcr\.io/,
    /^You added ghcr\.io/,
  ]);
  await expect(activity).not.toContainText('ghp_');
  await activity.getByRole('button', { name: 'Close' }).click();
  await expect(activity).toBeHidden();
});

test('search narrows by name, registry, username, notes and pipelines, with a count and an empty result', async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'Docker Hub',
    name: 'Base images',
    username: 'acme-ci',
    password: 'dckr_pat_a',
    pipelines: 'nightly',
  });
  await vault.addRegistry({
    preset: 'GitHub Container Registry',
    name: 'Team packages',
    username: 'octo',
    password: 'ghp_b',
  });
  await vault.addRegistry({
    preset: 'Private / self-hosted registry',
    registry: 'registry.acme.com',
    name: 'Production images',
    username: 'deployer',
    password: 'prod-c',
    notes: 'owned by platform team',
  });
  await expect(app.page.getByText('3 registries')).toBeVisible();

  const cases: ReadonlyArray<readonly [string, string]> = [
    ['ghcr', 'Team packages'],
    ['DEPLOYER', 'Production images'],
    ['platform', 'Production images'],
    ['nightly', 'Base images'],
    ['base', 'Base images'],
  ];
  for (const [query, name] of cases) {
    await vault.search.fill(query);
    await vault.expectNames([name]);
    await expect(app.page.getByText('1 of 3')).toBeVisible();
  }
  await vault.search.fill('no-such-registry');
  await expect(app.page.getByText('No registries match “no-such-registry”.', { exact: false })).toBeVisible();
  await expect(app.page.getByText('0 of 3')).toBeVisible();
  await app.page.getByRole('button', { name: 'Clear search' }).click();
  await expect(vault.rows).toHaveCount(3);
});

test('status badges: an ECR token counts down to Expires soon and Expired; a past expiry shows Expired', async () => {
  await app.page.clock.install();
  await session.createVault();
  await vault.addRegistry({
    preset: 'Amazon ECR',
    name: 'ECR prod',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    password: 'ecr-token',
  });
  await vault.addRegistry({
    preset: 'Quay',
    name: 'Old quay',
    username: 'acme+old',
    password: 'q',
    expires: '2020-01-01T09:30',
  });
  await expect(vault.row('ECR prod')).toContainText('Expires in 12 h');
  await expect(vault.row('Old quay').getByText('Expired')).toBeVisible();

  const start = await app.page.evaluate(() => Date.now());
  await app.page.clock.setSystemTime(start + 10 * 3_600_000);
  await app.page.clock.runFor(61_000);
  await expect(vault.row('ECR prod').getByText('Expires soon')).toBeVisible();
  await app.page.clock.setSystemTime(start + 13 * 3_600_000);
  await app.page.clock.runFor(61_000);
  await expect(vault.row('ECR prod').getByText('Expired')).toBeVisible();
});

test("copy puts the password on main's clipboard and says when it clears", async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'Harbor',
    registry: 'harbor.example.com',
    username: 'robot$ci',
    password: 'harbor-s3cret!',
  });
  await vault.row('harbor.example.com').getByRole('button', { name: 'Copy password' }).click();
  await expect(app.page.getByRole('status').filter({ hasText: 'Copied — clears in 30 s' })).toBeVisible();
  expect(await app.clipboardText()).toBe('harbor-s3cret!');
});

test('Lock clears a copied password from the clipboard, but never what was copied since', async () => {
  await session.createVault();
  await vault.addRegistry({ preset: 'Quay', registry: 'quay.io', username: 'org+robot', password: 'quay-s3cret!' });
  const copy = vault.row('quay.io').getByRole('button', { name: 'Copy password' });
  await copy.click();
  await expect.poll(() => app.clipboardText()).toBe('quay-s3cret!');
  await session.lock();
  await expect.poll(() => app.clipboardText()).toBe('');

  await session.unlock();
  await copy.click();
  await expect.poll(() => app.clipboardText()).toBe('quay-s3cret!');
  await app.copyElsewhere('my own notes');
  await session.lock();
  // Lock's own clear request has nothing of ours to clear; a second one answers so and proves it.
  const again = await app.page.evaluate(() => window.regvault.clipboard.clearSecret());
  expect(again).toEqual({ ok: true, value: { cleared: false } });
  expect(await app.clipboardText()).toBe('my own notes');
});

test('keyboard: Ctrl+N opens Add Registry, Esc closes it and returns focus, Ctrl+F focuses search', async () => {
  await session.createVault();
  const page = app.page;
  await vault.vaultSelect.focus();
  await page.keyboard.press('Control+n');
  await expect(vault.addForm).toBeVisible();
  await expect(vault.field(vault.addForm, 'Preset')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(vault.addForm).toBeHidden();
  await expect(vault.vaultSelect).toBeFocused();
  await page.keyboard.press('Control+f');
  await expect(vault.search).toBeFocused();
  await page.keyboard.press('Control+n');
  await vault.fill(vault.addForm, { username: 'kb', password: 'dckr_pat_kb' });
  await page.keyboard.press('Enter');
  await expect(vault.addForm).toBeHidden();
  await expect(vault.rows).toHaveCount(1);
  await expect(vault.search).toBeFocused();
});

test('entries survive lock/unlock and a reload', async () => {
  await session.createVault();
  await vault.addRegistry({
    preset: 'GitLab Container Registry',
    name: 'GitLab',
    username: 'gl-user',
    password: 'glpat-keep',
    notes: 'kept',
  });
  await vault.addRegistry({
    preset: 'Quay',
    name: 'Quay',
    username: 'org+bot',
    password: 'quay-keep',
    pipelines: 'ship',
  });
  await session.lock();
  await session.unlock();
  await vault.expectNames(['GitLab', 'Quay']);
  await app.page.reload();
  await session.unlock();
  await vault.expectNames(['GitLab', 'Quay']);
  expect(await vault.revealedPassword('Quay')).toBe('quay-keep');
  await expect(vault.row('Quay')).toContainText('ship');
});

test('a long list renders only the rows in view and scrolls to the last one', async () => {
  test.setTimeout(120_000);
  await session.createVault();
  const count = 40;
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(2, '0');
    await vault.addRegistry({
      preset: 'Private / self-hosted registry',
      registry: `reg-${n}.example.com`,
      username: `u${n}`,
      password: `p${n}`,
    });
  }
  await expect(vault.table).toHaveAttribute('aria-rowcount', String(count + 1));
  const rendered = await vault.rows.count();
  expect(rendered).toBeLessThan(count);
  await expect(vault.row('reg-40.example.com')).toHaveCount(0);
  await vault.table.hover();
  await app.page.mouse.wheel(0, 100 * count);
  await expect(vault.row('reg-40.example.com')).toHaveAttribute('aria-rowindex', String(count + 1));
  await expect(vault.row('reg-01.example.com')).toHaveCount(0);
});

test('the preset follows the typed Registry URL unless one was picked', async () => {
  await session.createVault();
  const form = await vault.openAddForm();
  await vault.fill(form, { registry: 'ghcr.io', username: 'octocat', password: 'ghp_follow' });
  await expect(vault.field(form, 'Preset')).toHaveValue('ghcr');
  await expect(form.getByText(/Create a PAT at GitHub/)).toBeVisible();
  await expect(form.getByText(/Docker Hub → Account Settings/)).toBeHidden();
  await form.getByRole('button', { name: 'Add Registry' }).click();
  await expect(form).toBeHidden();
  await expect(vault.row('ghcr.io').getByRole('cell').first()).toContainText('GitHub Container Registry');
  await expect(vault.row('ghcr.io').getByRole('cell').first()).not.toContainText('Docker Hub');

  const selfHosted = await vault.openAddForm();
  await vault.fill(selfHosted, { registry: 'registry.example.com:5000', username: 'ci', password: 'pw' });
  await expect(vault.field(selfHosted, 'Preset')).toHaveValue('private');
  await selfHosted.getByRole('button', { name: 'Add Registry' }).click();
  await expect(selfHosted).toBeHidden();
  await expect(vault.row('registry.example.com:5000').getByRole('cell').first()).not.toContainText('Docker Hub');

  // Picked explicitly: the choice stays whatever URL is typed.
  const picked = await vault.openAddForm();
  await vault.fill(picked, { preset: 'Harbor', registry: 'ghcr.io' });
  await expect(vault.field(picked, 'Preset')).toHaveValue('harbor');
});
