/**
 * Writes the screenshots in docs/screenshots/ from the built app (`npm run screenshots`): a
 * fresh profile, a vault with a realistic set of registries, each main screen and dialog, and
 * the vault screen again in dark mode.
 */
import { expect } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchRegvault } from './harness';
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

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  // GitHub Packages is already in Docker's config.json, so the list shows its "In Docker config" badge.
  const home = await mkdtemp(join(tmpdir(), 'regvault-shots-'));
  const github = registries[1];
  await mkdir(join(home, '.docker'));
  const auth = Buffer.from(`${github?.username ?? ''}:${github?.password ?? ''}`).toString('base64');
  await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth } } }, null, '\t'));
  const app = await launchRegvault({ home, viewport: { width: 1200, height: 780 } });
  const { page } = app;
  const shot = (name: string) => page.screenshot({ path: join(out, name) });
  try {
    const session = new SessionPage(page);
    const vault = new VaultPage(page);
    await session.createVault();
    for (const fields of registries) await vault.addRegistry(fields);
    await vault.expectNames(registries.map((r) => r.name ?? '').sort((a, b) => a.localeCompare(b)));
    await expect(vault.badge('GitHub Packages', 'In Docker config')).toBeVisible();
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

    await session.openSettings();
    await expect(page.getByTestId('app-version')).toBeVisible();
    await shot('settings.png');

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
