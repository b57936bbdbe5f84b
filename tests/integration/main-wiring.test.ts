// The BUILT main bundle (dist/electron/main.cjs, from `npm run build`, which `npm test` runs
// first) loaded with a recording stand-in for `electron`: Electron's window cannot open here, but
// everything main asks of Electron — window options, protocol, IPC, permissions, navigation,
// single instance, quitting — can be checked.
import Module, { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../../electron/security';
import { channels, eventChannel } from '../../shared/ipc/contract';
import { createElectronStub, StubWebContents, type ElectronStub } from './electron-stub';

const root = resolve(import.meta.dirname, '../..');
const bundle = join(root, 'dist/electron/main.cjs');
const require = createRequire(import.meta.url);

function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .reduce((newest, entry) => Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

/** Runs main.cjs afresh with `electron` resolved to the stub. */
function loadMain(stub: ElectronStub): void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'electron' ? stub.module : original.call(this, request, ...rest);
  };
  try {
    Reflect.deleteProperty(require.cache, bundle);
    require(bundle);
  } finally {
    loader._load = original;
  }
}

type Handler = (...args: unknown[]) => unknown;
const fromFrame = (frame: unknown) => ({ senderFrame: frame });

function handler(stub: ElectronStub, channel: string): Handler {
  const fn = stub.calls.ipcHandlers.get(channel);
  if (!fn) throw new Error(`${channel} is not registered`);
  return fn;
}

beforeAll(() => {
  expect(existsSync(bundle), 'dist/electron/main.cjs is missing: run `npm run build` first').toBe(true);
  const built = statSync(bundle).mtimeMs;
  const stale = ['electron', 'shared'].some((dir) => newestSource(join(root, dir)) > built);
  expect(stale, 'dist/electron/main.cjs is older than its sources: run `npm run build` first').toBe(false);
});

describe('the built main process', () => {
  let stub: ElectronStub;
  beforeAll(async () => {
    stub = createElectronStub();
    loadMain(stub);
    await stub.firstWindow;
  });

  it('opens one window: context isolation, sandbox, no Node, no webview, our preload', async () => {
    const window = await stub.firstWindow;
    expect(window.options['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: join(root, 'dist/electron/preload.cjs'),
    });
    expect(window.options['webPreferences']).not.toHaveProperty('nodeIntegrationInSubFrames', true);
    expect(existsSync(join(root, 'dist/electron/preload.cjs'))).toBe(true);
    expect(window.loadedUrl).toBe('app://regvault/index.html');
    expect(stub.windows).toHaveLength(1);
  });

  it('serves the renderer over app:// with the strict CSP, and nothing outside it', async () => {
    expect(stub.calls.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const serve = stub.calls.protocolHandlers.get('app') as (request: Request) => Promise<Response>;
    const page = await serve(new Request('app://regvault/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script');
    for (const url of [
      'app://regvault/%2e%2e/%2e%2e/package.json',
      'app://regvault/..%2f..%2fpackage.json',
      'app://regvault/..%5c..%5cpackage.json',
      'app://evil/index.html',
      'app://regvault/no-such-file.js',
    ]) {
      expect((await serve(new Request(url))).status, url).toBe(404);
    }
  });

  it('registers every contract channel with ipcMain.handle, and nothing else', () => {
    expect([...stub.calls.ipcHandlers.keys()].sort()).toEqual(Object.keys(channels).sort());
  });

  it('answers only the window top frame on our origin', async () => {
    const window = await stub.firstWindow;
    const info = handler(stub, 'app:info');
    expect(await info(fromFrame(window.webContents.mainFrame), undefined)).toMatchObject({ ok: true });
    const untrusted = { ok: false, error: { code: 'untrusted-sender' } };
    expect(await info(fromFrame({ url: 'app://regvault/index.html' }), undefined)).toMatchObject(untrusted);
    expect(await info(fromFrame(null), undefined)).toMatchObject(untrusted);
    window.webContents.mainFrame.url = 'https://evil.example/index.html';
    try {
      expect(await info(fromFrame(window.webContents.mainFrame), undefined)).toMatchObject(untrusted);
    } finally {
      window.webContents.mainFrame.url = 'app://regvault/index.html';
    }
  });

  it('denies every permission request and check', () => {
    const request = stub.calls.permissionRequestHandler;
    const check = stub.calls.permissionCheckHandler;
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const callback = vi.fn();
      request?.({}, permission, callback, {});
      expect(callback).toHaveBeenCalledExactlyOnceWith(false);
      expect(check?.({}, permission, 'app://regvault', {})).toBe(false);
    }
  });

  it('refuses navigation away from app://regvault, webviews and new windows in every web contents', async () => {
    const window = await stub.firstWindow;
    const other = new StubWebContents();
    stub.module.app.emit('web-contents-created', {}, other);
    for (const contents of [window.webContents, other]) {
      const navigate = (url: string) => {
        const event = { preventDefault: vi.fn() };
        contents.emit('will-navigate', event, url);
        return event.preventDefault.mock.calls.length > 0;
      };
      expect(navigate('https://evil.example/')).toBe(true);
      expect(navigate('file:///etc/passwd')).toBe(true);
      expect(navigate('app://regvault.evil.example/index.html')).toBe(true);
      expect(navigate('app://regvault/index.html')).toBe(false);
      const webview = { preventDefault: vi.fn() };
      contents.emit('will-attach-webview', webview, {}, {});
      expect(webview.preventDefault).toHaveBeenCalled();
      expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    }
  });

  it('forwards suspend and screen lock to the renderer as contract events', async () => {
    const window = await stub.firstWindow;
    stub.module.powerMonitor.emit('suspend');
    stub.module.powerMonitor.emit('lock-screen');
    expect(window.webContents.sent).toEqual([
      [eventChannel, 'power:suspend', undefined],
      [eventChannel, 'power:lock-screen', undefined],
    ]);
  });

  it('shows a reminder as an Electron Notification, sets the badge, and a click asks the renderer to open the entry', async () => {
    const window = await stub.firstWindow;
    const from = fromFrame(window.webContents.mainFrame);
    const target = { vaultId: 'v1', entryId: 'e1' };
    const note = { title: 'Expires soon: ECR prod', body: '123.dkr.ecr…', target };
    expect(await handler(stub, 'reminder:notify')(from, note)).toEqual({ ok: true, value: { shown: true } });
    expect(stub.calls.notifications.map((n) => n.options)).toEqual([{ title: note.title, body: note.body }]);
    expect(await handler(stub, 'reminder:badge')(from, { count: 3 })).toEqual({ ok: true, value: {} });
    expect(stub.calls.badges).toEqual([3]);
    stub.calls.notifications[0]?.emit('click');
    expect(window.webContents.sent.at(-1)).toEqual([eventChannel, 'reminder:open', target]);
  });

  it('approves a refresh command only in its own native dialog, and runs nothing the renderer merely sends', async () => {
    const window = await stub.firstWindow;
    const frame = fromFrame(window.webContents.mainFrame);
    const marker = join(stub.userData, 'ran');
    const argv = ['/bin/sh', '-c', `touch ${marker}`];
    const ref = { vaultId: 'v1', entryId: 'e1', registry: 'ghcr.io' };
    // The renderer's old form (an argument vector to run) is refused by the contract; an entry nobody approved runs nothing.
    expect(await handler(stub, 'refresh:run')(frame, { argv })).toMatchObject({ ok: false });
    expect(await handler(stub, 'refresh:run')(frame, ref)).toMatchObject({
      ok: false,
      error: { code: 'not-approved' },
    });
    // Asking for an approval shows main's message box with the exact argument vector; Cancel approves nothing.
    stub.calls.messageBoxAnswer = 0;
    expect(await handler(stub, 'refresh:approve')(frame, { ...ref, argv })).toEqual({
      ok: true,
      value: { approved: false },
    });
    expect(stub.calls.messageBoxes.at(-1)).toMatchObject({
      title: 'Allow this command?',
      detail: expect.stringContaining('"/bin/sh" "-c" "touch ') as unknown,
      buttons: ['Cancel', 'Allow this command'],
    });
    expect(await handler(stub, 'refresh:run')(frame, ref)).toMatchObject({
      ok: false,
      error: { code: 'not-approved' },
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('copies a secret as one ClipboardItem with the history-exclusion format, and clears it before quitting', async () => {
    const window = await stub.firstWindow;
    const copy = handler(stub, 'clipboard:copy-secret');
    expect(await copy(fromFrame(window.webContents.mainFrame), { text: 'hunter2-token' })).toMatchObject({ ok: true });
    const write = stub.calls.clipboard.at(-1);
    expect(write?.method).toBe('write');
    expect(write?.items).toHaveLength(1);
    expect(write?.items?.[0]).toBeInstanceOf(stub.module.ClipboardItem);
    expect(Object.keys((write?.items?.[0] as { items: object }).items)).toContain('text/plain');
    expect(stub.clipboardText()).toBe('hunter2-token');

    const quitting = { preventDefault: vi.fn() };
    stub.module.app.emit('will-quit', quitting);
    expect(quitting.preventDefault).toHaveBeenCalled();
    await stub.quit;
    expect(stub.clipboardText()).toBe('');
    expect(stub.calls.clipboard.at(-1)).toEqual({ method: 'clear' });
    // Electron emits will-quit again after app.quit(): this time it goes through.
    const again = { preventDefault: vi.fn() };
    stub.module.app.emit('will-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });
});

describe('the built main process, other starts', () => {
  it('quitting leaves the clipboard alone when the user copied something else since', async () => {
    const stub = createElectronStub();
    loadMain(stub);
    const window = await stub.firstWindow;
    await handler(stub, 'clipboard:copy-secret')(fromFrame(window.webContents.mainFrame), { text: 'hunter2-token' });
    stub.copyElsewhere('my own text');
    stub.module.app.emit('will-quit', { preventDefault: () => {} });
    await stub.quit;
    expect(stub.clipboardText()).toBe('my own text');
    expect(stub.calls.clipboard.map((call) => call.method)).toEqual(['write']);
  });

  it('a second instance quits at once: no window, no handlers, no protocol', async () => {
    const stub = createElectronStub(false);
    loadMain(stub);
    await stub.quit;
    expect(stub.calls.quits).toBe(1);
    expect(stub.windows).toEqual([]);
    expect(stub.module.app.listenerCount('web-contents-created')).toBe(0);
    expect(stub.calls.whenReady).toBe(0);
  });

  it('started as docker-credential-regvault, the app binary answers and exits: no window, no lock, no handlers', async () => {
    const stub = createElectronStub();
    const argv = process.argv;
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      done?.();
      return true;
    });
    process.argv = [...argv, '--docker-credential-helper', 'version'];
    try {
      loadMain(stub);
      expect(await stub.exit).toBe(0);
    } finally {
      process.argv = argv;
      write.mockRestore();
    }
    expect(printed.join('')).toBe('docker-credential-regvault (regvault) 0.0.0-test\n');
    expect(stub.calls.singleInstanceRequests).toBe(0);
    expect(stub.calls.whenReady).toBe(0);
    expect(stub.windows).toEqual([]);
    expect(stub.calls.ipcHandlers.size).toBe(0);
  });

  it('the running app listens for the helper in its data folder (socket 0600)', async () => {
    const stub = createElectronStub();
    loadMain(stub);
    await stub.firstWindow;
    const socket = join(stub.userData, 'docker-helper', 'helper.sock');
    await vi.waitFor(() => expect(existsSync(socket)).toBe(true));
    expect(statSync(socket).mode & 0o777).toBe(0o600);
  });
});
