import { expect, test, type Page } from '@playwright/test';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';
import { VaultPage } from './pages/vault-page';

let app: Regvault;
let session: SessionPage;
let vault: VaultPage;

test.beforeEach(async () => {
  app = await launchRegvault();
  session = new SessionPage(app.page);
  vault = new VaultPage(app.page);
  await session.createVault();
});

test.afterEach(async () => {
  await app.close();
});

test('a second vault keeps its own entries; switching shows each vault’s own', async () => {
  await expect(vault.vaultSelect.locator('option:checked')).toHaveText('Personal');
  await vault.addRegistry({
    preset: 'GitHub Container Registry',
    name: 'Personal GitHub',
    username: 'me',
    password: 'ghp_personal',
  });
  await vault.newVault('Staging');
  await expect(
    app.page.getByText('No registries yet. Click Add Registry to save your first credentials.'),
  ).toBeVisible();
  // The same registry may have different credentials per environment: one entry per vault.
  await vault.addRegistry({
    preset: 'GitHub Container Registry',
    name: 'Staging GitHub',
    username: 'stage-bot',
    password: 'ghp_staging',
  });
  await vault.expectNames(['Staging GitHub']);

  await vault.switchVault('Personal');
  await vault.expectNames(['Personal GitHub']);
  expect(await vault.revealedPassword('Personal GitHub')).toBe('ghp_personal');
  await vault.switchVault('Staging');
  await vault.expectNames(['Staging GitHub']);
  await expect(vault.row('Staging GitHub').getByRole('button', { name: 'Reveal password' })).toBeVisible();
});

test('a vault needs a name; rename it; delete says how many entries it holds and that it cannot be undone', async () => {
  await vault.newVault('Staging');
  await vault.addRegistry({ preset: 'Quay', username: 'a+b', password: 'q1' });
  await vault.addRegistry({ preset: 'GitHub Container Registry', username: 'c', password: 'g1' });

  await app.page.getByRole('button', { name: 'New vault' }).click();
  const unnamed = vault.dialog('New vault');
  await unnamed.getByRole('button', { name: 'Create vault' }).click();
  await expect(unnamed.getByRole('alert')).toContainText('Give the vault a name');
  await app.page.keyboard.press('Escape');
  await expect(unnamed).toBeHidden();

  await app.page.getByRole('button', { name: 'Rename vault' }).click();
  const rename = vault.dialog('Rename vault');
  await expect(rename.getByLabel('Vault name')).toHaveValue('Staging');
  await rename.getByLabel('Vault name').fill('Production');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(rename).toBeHidden();
  await expect(vault.vaultSelect.locator('option:checked')).toHaveText('Production');

  await app.page.getByRole('button', { name: 'Delete vault' }).click();
  let confirm = vault.dialog('Delete vault');
  await expect(confirm).toContainText('The vault “Production” holds 2 registries.');
  await expect(confirm).toContainText('This action cannot be undone.');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(vault.rows).toHaveCount(2);

  await app.page.getByRole('button', { name: 'Delete vault' }).click();
  confirm = vault.dialog('Delete vault');
  await confirm.getByRole('button', { name: 'Delete vault' }).click();
  await expect(confirm).toBeHidden();
  await expect(vault.vaultSelect.locator('option')).toHaveText(['Personal']);
  await expect(vault.vaultSelect.locator('option:checked')).toHaveText('Personal');
});

test('vaults and their entries survive lock/unlock and a reload', async () => {
  await vault.addRegistry({ preset: 'Docker Hub', name: 'Hub', username: 'acme', password: 'dckr_pat_personal' });
  await vault.newVault('Production');
  await vault.addRegistry({
    preset: 'Amazon ECR',
    name: 'ECR',
    registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    password: 'tok',
  });
  await session.lock();
  await session.unlock();
  await expect(vault.vaultSelect.locator('option')).toHaveText(['Personal', 'Production']);
  await app.page.reload();
  await session.unlock();
  await vault.switchVault('Production');
  await vault.expectNames(['ECR']);
  await expect(vault.row('ECR')).toContainText('Expires in 12 h');
  await vault.switchVault('Personal');
  expect(await vault.revealedPassword('Hub')).toBe('dckr_pat_personal');
});

/** Every record of every IndexedDB store, with byte arrays spelled out as characters, plus a probe that proves the dump sees bytes. */
async function dumpIndexedDb(
  page: Page,
  probe: string,
): Promise<{ text: string; records: number; probeFound: boolean }> {
  return page.evaluate(async (probeText) => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((done, fail) => {
        r.onsuccess = () => done(r.result);
        r.onerror = () => fail(r.error);
      });
    const openDb = (name: string, upgrade?: (db: IDBDatabase) => void) => {
      const r = indexedDB.open(name);
      if (upgrade) r.onupgradeneeded = () => upgrade(r.result);
      return request(r);
    };
    const spell = (value: unknown): string => {
      if (value instanceof ArrayBuffer) return spell(new Uint8Array(value));
      if (ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        let out = '';
        for (const b of bytes) out += String.fromCharCode(b);
        return out;
      }
      if (Array.isArray(value)) return value.map(spell).join('\u0000');
      if (value !== null && typeof value === 'object') {
        return Object.entries(value)
          .map(([k, v]) => `${k}=${spell(v)}`)
          .join('\u0000');
      }
      return String(value);
    };
    const dump = async (names: readonly string[]) => {
      let text = '';
      let records = 0;
      for (const name of names) {
        const db = await openDb(name);
        for (const store of Array.from(db.objectStoreNames)) {
          const tx = db.transaction(store, 'readonly');
          const keys = await request(tx.objectStore(store).getAllKeys());
          const values = await request(tx.objectStore(store).getAll());
          records += values.length;
          text += `${name}/${store}\u0000${spell(keys)}\u0000${spell(values)}\u0000${JSON.stringify(values)}\n`;
        }
        db.close();
      }
      return { text, records };
    };
    const appDbs = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n !== '');
    const probeDb = await openDb('plaintext-probe', (db) => db.createObjectStore('bytes'));
    const tx = probeDb.transaction('bytes', 'readwrite');
    await request(tx.objectStore('bytes').put({ sealed: new TextEncoder().encode(probeText) }, 1));
    probeDb.close();
    const probeFound = (await dump(['plaintext-probe'])).text.includes(probeText);
    await request(indexedDB.deleteDatabase('plaintext-probe'));
    return { ...(await dump(appDbs)), probeFound };
  }, probe);
}

test('IndexedDB holds no plaintext: no vault name, registry, username, secret, note or pipeline', async () => {
  const plaintext = [
    'Vault-Zebra-Quartz',
    'Renamed-Vault-Orchid',
    'zq-secret-registry.example.org:5443',
    'Name-Marmalade-Cobalt',
    'user-periwinkle-tangent',
    'S3cret-Walrus-Xylophone-9931',
    'note-about-heliotrope-saffron',
    'pipeline-quasar-deploy',
    'mail-kumquat@example.net',
  ];
  const [vaultName, renamed, registry, name, username, secret, note, pipeline, email] = plaintext as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  await vault.newVault(vaultName);
  await vault.addRegistry({
    preset: 'Private / self-hosted registry',
    registry,
    name,
    username,
    password: secret,
    notes: note,
    pipelines: pipeline,
    email,
  });
  await vault.edit(name, { password: `${secret}-rotated` });
  await vault.newVault('Second');
  await vault.switchVault(vaultName);
  await app.page.getByRole('button', { name: 'Rename vault' }).click();
  await vault.dialog('Rename vault').getByLabel('Vault name').fill(renamed);
  await vault.dialog('Rename vault').getByRole('button', { name: 'Rename' }).click();
  await expect(vault.vaultSelect.locator('option:checked')).toHaveText(renamed);

  const dump = await dumpIndexedDb(app.page, 'probe-plaintext-bytes');
  expect(dump.probeFound).toBe(true);
  expect(dump.records).toBeGreaterThan(3);
  for (const text of [...plaintext, `${secret}-rotated`]) expect(dump.text).not.toContain(text);
});
