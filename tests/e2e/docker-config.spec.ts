import { expect, test } from '@playwright/test';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import {
  makeDockerTestEnv,
  readConfigObject,
  readHelperStore,
  removeDockerTestEnvs,
  writeConfigObject,
  type DockerTestEnv,
} from '../../electron/services/fixtures/docker-config-env';
import { launchRegvault, type Regvault } from './harness';
import { DockerConfigPage } from './pages/docker-config-page';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

let testEnv: DockerTestEnv;
let app: Regvault;
let session: SessionPage;
let vault: VaultPage;
let docker: DockerConfigPage;

const ghcr = { registry: 'ghcr.io', name: 'GitHub', username: 'octocat', password: 'ghp_s3cret:with-colon' };
const quay = { registry: 'quay.io', name: 'Quay', username: 'acme+ci', password: 'quay-token' };
const foreign = { auth: basicAuth('someone', 'not-ours') };

function basicAuth(username: string, secret: string): string {
  return Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
}

test.beforeEach(async () => {
  testEnv = await makeDockerTestEnv();
  const env = Object.fromEntries(
    Object.entries(testEnv.env).filter((pair): pair is [string, string] => pair[1] !== undefined),
  );
  app = await launchRegvault({ home: testEnv.home, env });
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
  docker = new DockerConfigPage(app.page);
  await session.createVault();
});

test.afterEach(async () => {
  await app.close();
});

test.afterAll(removeDockerTestEnvs);

test('writes the chosen entries as docker login does, keeps what is not ours, and a second apply changes nothing', async () => {
  await writeConfigObject(testEnv, {
    auths: { 'foreign.example:5000': foreign },
    currentContext: 'colima',
    'x-unknown': [1, 2],
  });
  const before = await readFile(testEnv.configPath, 'utf8');
  await vault.addRegistry(ghcr);
  await vault.addRegistry(quay);
  await docker.open();

  await expect(docker.screen.getByTestId('docker-config-file')).toHaveText(testEnv.configPath);
  await expect(docker.fileRow('foreign.example:5000')).toContainText('another program');
  await expect(docker.fileRow('foreign.example:5000').getByRole('checkbox')).toHaveCount(0);
  await expect(docker.entry('GitHub')).toContainText('missing from docker config');

  await docker.selectAll();
  await docker.review();
  await expect(docker.planGroup('Added').getByRole('listitem')).toHaveText([
    'ghcr.io · octocat → config.json (base64, unencrypted)',
    'quay.io · acme+ci → config.json (base64, unencrypted)',
  ]);
  await expect(docker.warnings).toContainText('stored unencrypted');
  const result = await docker.apply();

  const backupPath = (await result.getByTestId('docker-backup-path').textContent()) ?? '';
  expect(await readFile(backupPath, 'utf8')).toBe(before);
  expect(await readConfigObject(testEnv)).toEqual({
    auths: {
      'foreign.example:5000': foreign,
      'ghcr.io': { auth: basicAuth(ghcr.username, ghcr.password) },
      'quay.io': { auth: basicAuth(quay.username, quay.password) },
    },
    currentContext: 'colima',
    'x-unknown': [1, 2],
  });
  expect(await readFile(testEnv.configPath, 'utf8')).toContain('\n\t"auths": {');
  await expect(docker.fileRow('ghcr.io')).toContainText('written by Regvault');
  await expect(docker.entry('GitHub')).toContainText('in docker config');
  await expect(docker.entry('Quay')).toContainText('in docker config');

  const written = await readFile(testEnv.configPath, 'utf8');
  const { mtimeMs } = await stat(testEnv.configPath);
  await docker.selectAll();
  await docker.review();
  await expect(docker.screen.getByRole('status')).toContainText('No changes');
  await expect(docker.planGroup('Unchanged').getByRole('listitem')).toHaveCount(2);
  await expect(docker.applyButton).toHaveCount(0);
  expect((await stat(testEnv.configPath)).mtimeMs).toBe(mtimeMs);
  expect(await readFile(testEnv.configPath, 'utf8')).toBe(written);
});

test('shows an entry that differs from the file, and removes only what Regvault wrote', async () => {
  await writeConfigObject(testEnv, { auths: { 'foreign.example:5000': foreign } });
  await vault.addRegistry(ghcr);
  await vault.addRegistry(quay);
  await docker.open();
  await docker.selectAll();
  await docker.review();
  await docker.apply();

  // Someone logs in to ghcr.io with another token behind Regvault's back.
  const config = await readConfigObject(testEnv);
  (config['auths'] as Record<string, unknown>)['ghcr.io'] = { auth: basicAuth(ghcr.username, 'rotated-elsewhere') };
  await writeConfigObject(testEnv, config);
  await docker.reload();
  await expect(docker.entry('GitHub')).toContainText('differs from docker config');
  await expect(docker.entry('Quay')).toContainText('in docker config');

  await docker.choose('Quay', false);
  await docker.chooseRemoval('quay.io');
  await docker.review();
  await expect(docker.planGroup('Changed')).toContainText('ghcr.io · octocat');
  await expect(docker.planGroup('Removed')).toContainText('quay.io');
  await docker.apply();
  expect((await readConfigObject(testEnv))['auths']).toEqual({
    'foreign.example:5000': foreign,
    'ghcr.io': { auth: basicAuth(ghcr.username, ghcr.password) },
  });
  await expect(docker.entry('Quay')).toContainText('missing from docker config');
  await expect(docker.screen.getByRole('checkbox', { name: 'Remove foreign.example:5000' })).toHaveCount(0);
});

test('the registry list badges what Docker config holds, and follows a docker login made elsewhere', async () => {
  await writeConfigObject(testEnv, {
    auths: {
      'ghcr.io': { auth: basicAuth(ghcr.username, ghcr.password) },
      'quay.io': { auth: basicAuth(quay.username, 'an-older-token') },
    },
  });
  await vault.addRegistry(ghcr);
  await vault.addRegistry(quay);
  await vault.addRegistry({ registry: 'harbor.example.com', name: 'Harbor', username: 'robot', password: 'h-token' });
  await expect(vault.badge('GitHub', 'In Docker config')).toBeVisible();
  await expect(vault.badge('Quay', 'Differs from Docker config')).toBeVisible();
  await expect(vault.row('Harbor')).not.toContainText('Docker config');

  // `docker login quay.io` in a terminal, then the user comes back to Regvault.
  const config = await readConfigObject(testEnv);
  (config['auths'] as Record<string, unknown>)['quay.io'] = { auth: basicAuth(quay.username, quay.password) };
  await writeConfigObject(testEnv, config);
  await app.page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(vault.badge('Quay', 'In Docker config')).toBeVisible();

  // Rotating the secret in Regvault: the file still holds the old one.
  await vault.edit('GitHub', { password: 'ghp_rotated' });
  await expect(vault.badge('GitHub', 'Differs from Docker config')).toBeVisible();
});

test('a malformed config.json is reported and never written, even when it breaks after the review', async () => {
  await writeConfigObject(testEnv, {});
  const broken = '{"auths": {"ghcr.io": {"auth": "b2N0bzpz"}';
  await writeFile(testEnv.configPath, broken);
  await vault.addRegistry(ghcr);
  await docker.open();
  await expect(docker.alert).toContainText(`${testEnv.configPath} is not valid JSON`);
  await expect(docker.alert).toContainText('Nothing was changed in the file.');
  await docker.selectAll();
  await expect(docker.screen.getByRole('button', { name: 'Review changes' })).toBeDisabled();

  await writeConfigObject(testEnv, { auths: {} });
  await docker.reload();
  await expect(docker.alert).toHaveCount(0);
  await docker.review();
  await writeFile(testEnv.configPath, broken);
  await docker.applyButton.click();
  // The failed apply says why; the file panel, read again, shows the same state of the file.
  await expect(docker.alert).toHaveText([
    /is not valid JSON.*Nothing was changed in the file\./,
    /is not valid JSON.*fix or move the file/,
  ]);
  expect(await readFile(testEnv.configPath, 'utf8')).toBe(broken);
  expect(await readdir(testEnv.configDir)).toEqual(['config.json']);
});

test('with credsStore, the secret goes to the credential helper and the file keeps an empty placeholder', async () => {
  await writeConfigObject(testEnv, { credsStore: 'testhelper' });
  await vault.addRegistry(ghcr);
  await docker.open();
  await docker.selectAll();
  await docker.review();
  await expect(docker.planGroup('Added').getByRole('listitem')).toHaveText(['ghcr.io · octocat → helper: testhelper']);
  await expect(docker.warnings).toHaveCount(0);
  await docker.apply();

  expect(await readHelperStore(testEnv)).toEqual({ 'ghcr.io': { Username: ghcr.username, Secret: ghcr.password } });
  expect(await readConfigObject(testEnv)).toEqual({ credsStore: 'testhelper', auths: { 'ghcr.io': {} } });
  await expect(docker.fileRow('ghcr.io')).toContainText('helper: testhelper');
  await expect(docker.fileRow('ghcr.io')).toContainText('written by Regvault');
  await expect(docker.entry('GitHub')).toContainText('in docker config');
});

test('imports existing logins into the vault once; a second import marks them as already there', async () => {
  await writeConfigObject(testEnv, {
    auths: {
      'ghcr.io': { auth: basicAuth(ghcr.username, ghcr.password) },
      'https://index.docker.io/v1/': { auth: basicAuth('acme', 'dckr_pat_x') },
      'registry.gitlab.com': { identitytoken: 'from-a-browser-sign-in' },
    },
  });
  await docker.open();
  let dialog = await docker.openImport();
  const found = dialog.getByRole('list', { name: 'Logins found' }).getByRole('listitem');
  await expect(found).toHaveText([/^ghcr\.io · octocat\s*will be imported$/, /^docker\.io · acme\s*will be imported$/]);
  await expect(dialog.getByRole('list', { name: 'Skipped' })).toContainText(
    'registry.gitlab.com holds an identity token',
  );
  await dialog.getByRole('button', { name: 'Import 2' }).click();
  await expect(dialog).toBeHidden();
  await expect(docker.screen.getByRole('status')).toContainText('Imported 2 logins into Personal');
  await expect(docker.entries).toHaveCount(2);
  // The plan of the whole vault finds both secrets identical to the file's: they came in whole.
  await expect(docker.entry('ghcr.io')).toContainText('in docker config');
  await expect(docker.entry('docker.io')).toContainText('in docker config');

  dialog = await docker.openImport();
  await expect(dialog.getByRole('list', { name: 'Logins found' }).getByRole('listitem')).toHaveText([
    /already in vault$/,
    /already in vault$/,
  ]);
  await expect(dialog.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(docker.entries).toHaveCount(2);
  await session.openVaults();
  await expect(vault.rows).toHaveCount(2);
  expect(await vault.revealedPassword('ghcr.io')).toBe(ghcr.password);
});

test('an imported login without a username is refused with the plain sentence, no field-name prefix', async () => {
  await writeConfigObject(testEnv, { auths: { 'https://index.docker.io/v1/': { auth: basicAuth('', 'dckr_pat_x') } } });
  await docker.open();
  const dialog = await docker.openImport();
  await dialog.getByRole('button', { name: 'Import 1' }).click();
  const alert = dialog.getByRole('alert');
  await expect(alert.getByRole('listitem')).toHaveText(['docker.io: Enter the username for this registry.']);
  await expect(alert).not.toContainText('username:');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(docker.entries).toHaveCount(0);
});

test('exports the chosen entries as a Kubernetes pull secret that decodes back to the credentials', async () => {
  await vault.addRegistry(ghcr);
  await vault.addRegistry(quay);
  await docker.open();
  await docker.selectAll();
  const dialog = await docker.openKubeSecret();
  await dialog.getByLabel('Secret name').fill('Bad_Name');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('alert')).toContainText('not a valid Secret name');
  await expect(dialog.getByRole('button', { name: 'Copy YAML' })).toBeDisabled();

  await dialog.getByLabel('Secret name').fill('pull-creds');
  await dialog.getByLabel('Namespace (optional)').fill('ci');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  const yamlBox = dialog.getByRole('textbox', { name: 'Secret YAML' });
  await expect(yamlBox).toHaveValue(/name: pull-creds\n {2}namespace: ci\ntype: kubernetes.io\/dockerconfigjson/);
  const yaml = await yamlBox.inputValue();
  const payload = /\.dockerconfigjson: (\S+)/.exec(yaml)?.[1] ?? '';
  expect(JSON.parse(Buffer.from(payload, 'base64').toString('utf8'))).toEqual({
    auths: {
      'ghcr.io': {
        username: ghcr.username,
        password: ghcr.password,
        auth: basicAuth(ghcr.username, ghcr.password),
      },
      'quay.io': { username: quay.username, password: quay.password, auth: basicAuth(quay.username, quay.password) },
    },
  });

  await dialog.getByRole('button', { name: 'Copy YAML' }).click();
  await expect(dialog.getByRole('status')).toContainText('clipboard clears in 30 s');
  expect(await app.clipboardText()).toBe(yaml);

  const [download] = await Promise.all([
    app.page.waitForEvent('download'),
    dialog.getByRole('button', { name: 'Download YAML' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('pull-creds.yaml');
  expect(await readFile((await download.path()) ?? '', 'utf8')).toBe(yaml);
});

test('opens on the vault chosen on the Vaults screen', async () => {
  await vault.addRegistry(ghcr);
  await vault.newVault('Production');
  await vault.addRegistry(quay);
  await vault.expectSaved();
  await docker.open();
  await expect(app.page.getByLabel('Vault to use')).toHaveValue(/.+/);
  await expect(app.page.getByLabel('Vault to use').locator('option:checked')).toHaveText('Production');
  await expect(app.page.getByText(quay.name, { exact: true })).toBeVisible();
  await expect(app.page.getByText(ghcr.name, { exact: true })).toHaveCount(0);
});
