/**
 * Writes the screenshots in docs/screenshots/ from the built app (`npm run screenshots`): a
 * fresh profile, a vault with a realistic set of registries, each main screen and dialog, and
 * the vault screen again in dark mode.
 */
import { expect } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeFakeClouds } from '../../electron/services/fixtures/fake-clouds';
import { launchRegvault, type Regvault } from './harness';
import { DockerConfigPage } from './pages/docker-config-page';
import { SessionPage } from './pages/session-page';
import { VaultPage, type RegistryFields } from './pages/vault-page';
import { shootTeam } from './screenshots-team';

const out = resolve(import.meta.dirname, '../../docs/screenshots');

const registries: readonly RegistryFields[] = [
  {
    preset: 'Docker Hub',
    name: 'Docker Hub (CI)',
    username: 'acme-ci',
    password: 'dckr_pat_4mQ7vXhT0pLr2sKe9bWc1yNd',
    pipelines: 'base-images, nightly-scan',
    rotateEveryDays: '90',
  },
  {
    preset: 'GitHub Container Registry',
    name: 'GitHub Packages',
    username: 'acme-release-bot',
    password: 'ghp_x8RkV2mQ9tLw4nYc7hJd1sPf6gBz3aEu0oKi',
    pipelines: 'api-build, web-build',
  },
  {
    preset: 'GitLab Container Registry',
    name: 'GitLab deploy token',
    username: 'gitlab+deploy-token-42',
    password: 'gldt-Zq8Xy3Vb6Nm1Lk4Jh7Gf',
    pipelines: 'infra-deploy',
    expires: '2024-11-30T18:00',
  },
  {
    preset: 'Amazon ECR',
    name: 'ECR production',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    password: 'eyJwYXlsb2FkIjoiQ2tKc2FXNWxJR2x6SUdFZ2RHOXJaVzRn',
    pipelines: 'deploy-prod',
    notes: 'Refreshed by the release job; paste a new token from aws ecr get-login-password.',
  },
  {
    preset: 'Azure Container Registry',
    name: 'Azure staging',
    registry: 'acmestaging.azurecr.io',
    username: '3f6a2c1e-8b4d-4e7a-9c2f-5d1b0a9e8f76',
    password: 'Xk9~Q2wE.r7TyU4iO_p1AsDf-Gh8JkLz',
    pipelines: 'staging-deploy',
  },
  {
    preset: 'Private / self-hosted registry',
    name: 'Acme internal registry',
    registry: 'registry.acme.internal:5000',
    username: 'ci-runner',
    password: 'v3ry-l0ng-internal-s3cret',
    pipelines: 'release, e2e-tests, staging-deploy, nightly-scan',
    notes: 'Production images. Signed by the Acme internal CA.',
  },
];

/** Issue #17: the refresh command with its approval, a failed refresh, and the notification main was asked to show. */
async function shootRefresh(app: Regvault, vault: VaultPage, shot: (name: string) => Promise<unknown>): Promise<void> {
  const form = await vault.openEdit('ECR production');
  await form.getByRole('button', { name: 'Use the aws command' }).click();
  const allow = form.getByRole('button', { name: 'Allow this command' });
  await allow.scrollIntoViewIfNeeded();
  await shot('refresh-command.png');
  await allow.click();
  await form.getByRole('button', { name: 'Save Changes' }).click();
  await expect(form).toBeHidden();
  await vault.row('ECR production').getByRole('button', { name: 'Refresh now' }).click();
  await expect(app.page.getByRole('alert').filter({ hasText: 'Refresh failed for ECR production.' })).toBeVisible();
  await app.page.mouse.move(0, 0);
  await shot('refresh-failed.png');

  // The operating system draws the real notification; this card shows what main was asked to show.
  const [note] = (await app.mainCalls()).notifications;
  if (note === undefined) throw new Error('no notification was recorded');
  const card = await app.context.newPage();
  await card.setViewportSize({ width: 420, height: 130 });
  await card.setContent(notificationCard(note.title, note.body));
  await card.screenshot({ path: join(out, 'notification.png') });
  await card.close();
}

function notificationCard(title: string, body: string): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<body style="margin:0;background:#d9dde3;font:14px system-ui,sans-serif">
<div style="margin:12px;padding:12px 14px;border-radius:10px;background:#fff;box-shadow:0 2px 8px #0003;display:flex;gap:12px">
<div style="width:36px;height:36px;border-radius:8px;background:#2457c5;color:#fff;display:grid;place-items:center;font-weight:700">R</div>
<div style="min-width:0"><div style="color:#666;font-size:12px">Regvault</div><div style="font-weight:600">${escape(title)}</div>
<div style="color:#333;font-size:13px;max-width:330px">${escape(body)}</div></div></div></body>`;
}

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  // GitHub Packages is already in Docker's config.json, so the list shows its "In Docker config" badge.
  const home = await mkdtemp(join(tmpdir(), 'regvault-shots-'));
  const github = registries[1];
  await mkdir(join(home, '.docker'));
  const auth = Buffer.from(`${github?.username ?? ''}:${github?.password ?? ''}`).toString('base64');
  await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth } } }, null, '\t'));
  // A fake `aws` that fails, for the refresh command's failure notice and its notification.
  const clouds = await makeFakeClouds(join(home, 'clouds'));
  await clouds.fail('aws', true);
  // As packaged: the launcher in the app's resources/helper (Settings shows where it installs).
  const helperLauncher = '/opt/Regvault/resources/helper/docker-credential-regvault';
  const app = await launchRegvault({
    home,
    env: { PATH: clouds.path },
    viewport: { width: 1200, height: 780 },
    helperLauncher,
  });
  const { page } = app;
  const shot = (name: string) => page.screenshot({ path: join(out, name) });
  try {
    const session = new SessionPage(page);
    const vault = new VaultPage(page);
    await session.createVault();
    // The recovery key offer after Create vault (shot on its own), then dismissed for the rest.
    await shot('recovery-offer.png');
    await page.getByRole('region', { name: 'Recovery key' }).getByRole('button', { name: 'Not now' }).click();
    for (const fields of registries) await vault.addRegistry(fields);
    await vault.expectNames(registries.map((r) => r.name ?? '').sort((a, b) => a.localeCompare(b)));
    await expect(vault.badge('GitHub Packages', 'In Docker config')).toBeVisible();
    // Served to Docker through docker-credential-regvault (per device, off by default).
    const serve = vault.row('Acme internal registry').getByRole('switch', { name: 'Serve to Docker' });
    await serve.click();
    await expect(serve).toHaveAttribute('aria-checked', 'true');
    await page.mouse.move(0, 0);
    await shot('vault.png');

    const form = await vault.openAddForm();
    await vault.fill(form, { preset: 'GitHub Container Registry', username: 'octo-dev', name: 'GitHub (personal)' });
    await shot('add-registry.png');
    await form.getByRole('button', { name: 'Cancel' }).click();

    await vault.openEdit('Acme internal registry');
    await shot('edit-registry.png');
    await page.keyboard.press('Escape');
    await expect(vault.editForm).toBeHidden();

    await vault.openDelete('Acme internal registry');
    await shot('delete-registry.png');
    await page.keyboard.press('Escape');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.mouse.move(0, 0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await shot('vault-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });

    await shootRefresh(app, vault, shot);

    // Docker config: the reviewed plan of "Use Regvault for these registries" (credHelpers, base64 removed).
    const docker = new DockerConfigPage(page);
    await docker.open();
    await docker.entry('GitHub Packages').getByRole('checkbox').check();
    await docker.entry('Acme internal registry').getByRole('checkbox').check();
    await docker.screen.getByRole('button', { name: 'Use Regvault for these registries' }).click();
    await expect(docker.planGroup('Credential helper')).toBeVisible();
    await page.mouse.move(0, 0);
    await shot('docker-config-helper.png');

    await session.openSettings();
    await expect(page.getByTestId('app-version')).toBeVisible();
    await shot('settings.png');
    const helper = page.getByRole('region', { name: 'Docker credential helper' });
    await expect(helper.getByTestId('helper-target')).toBeVisible();
    await helper.screenshot({ path: join(out, 'helper-settings.png') });

    await session.lock();
    await shot('locked.png');
    await shootTeam(out);
    console.log(`Screenshots written to ${out}`);
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
}

await main();
