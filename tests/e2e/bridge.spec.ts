import { expect, test } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchRegvault, type Regvault } from './harness';
import { SessionPage } from './pages/session-page';

let app: Regvault;

test.beforeEach(async () => {
  app = await launchRegvault();
});

test.afterEach(async () => {
  await app.close();
});

test('renderer → main round trip answers app:info with the temporary HOME docker config path', async () => {
  const result = await app.page.evaluate(() => window.regvault.app.info());
  expect(result).toEqual({
    ok: true,
    value: expect.objectContaining({ name: 'Regvault', dockerConfigPath: join(app.home, '.docker', 'config.json') }),
  });
});

test('a malformed request through the bridge gets a typed error, not an exception', async () => {
  const result = await app.page.evaluate(() =>
    (window.regvault.app.info as (input: unknown) => Promise<unknown>)({ unexpected: true }),
  );
  expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  if (app.runtime === 'electron') {
    // The real preload exposes no raw invoke at all: an unknown channel cannot even be named.
    expect(await app.page.evaluate(() => typeof window.__regvaultInvoke)).toBe('undefined');
    return;
  }
  const unknown = await app.page.evaluate(() => window.__regvaultInvoke('fs:read', '/etc/passwd'));
  expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
});

test('window.regvault exposes domain methods only, frozen', async () => {
  const shape = await app.page.evaluate(() => ({
    keys: Object.keys(window.regvault).sort(),
    frozen: Object.isFrozen(window.regvault),
    hasIpc: 'ipcRenderer' in window || 'require' in window,
  }));
  expect(shape.keys).toContain('app');
  expect(shape.keys).toContain('on');
  expect(shape.frozen).toBe(true);
  expect(shape.hasIpc).toBe(false);
});

test('a request from a frame of another origin is refused', async () => {
  // An iframe cannot be our main frame: the sender check must refuse it even with the binding present.
  const result = await app.page.evaluate(async () => {
    const frame = document.createElement('iframe');
    frame.srcdoc = '<p>child</p>';
    document.body.append(frame);
    await new Promise((done) => frame.addEventListener('load', done, { once: true }));
    const child = frame.contentWindow as unknown as Window;
    // Electron runs the preload in the main frame only; the harness's binding reaches every frame.
    if (typeof child.__regvaultInvoke !== 'function') return { childHasBridge: 'regvault' in child };
    return child.__regvaultInvoke('app:info', undefined);
  });
  expect(result).toMatchObject(
    app.runtime === 'electron' ? { childHasBridge: false } : { ok: false, error: { code: 'untrusted-sender' } },
  );
});

test('settings show the docker config path from DOCKER_CONFIG and a screenshot is taken', async () => {
  await app.close();
  const dockerDir = join(app.home, 'custom-docker');
  await mkdir(dockerDir, { recursive: true });
  app = await launchRegvault({ env: { DOCKER_CONFIG: dockerDir } });
  const session = new SessionPage(app.page);
  await session.createVault();
  await session.openSettings();
  await expect(app.page.getByTestId('docker-config-path')).toHaveText(join(dockerDir, 'config.json'));
  // This device's public key, for a relay's --allowed-devices list.
  await expect(app.page.getByTestId('device-key')).toHaveText(/^[A-Za-z0-9+/]{43}=$/);
  const shot = await app.page.screenshot({ path: test.info().outputPath('settings.png') });
  expect(shot.byteLength).toBeGreaterThan(1000);
});
