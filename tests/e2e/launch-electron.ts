// The real app, where Electron's binary is installed: Playwright's `_electron.launch` runs
// `electron .` (package.json "main" → dist/electron/main.cjs). Written from Playwright's and
// Electron's documentation; it cannot run on the project's machines (no Electron binary there).
import { _electron, type ElectronApplication } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { eventChannel, type EventName } from '../../shared/ipc/contract';
import { defaultViewport, type LaunchOptions, type Regvault } from './app-types';

const root = resolve(import.meta.dirname, '../..');

// What Electron needs from the outer environment to open a window; everything else (a developer's
// DOCKER_CONFIG, say) stays out, as in the Chromium harness.
const passedThrough = [
  'PATH',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'XDG_RUNTIME_DIR',
  'DBUS_SESSION_BUS_ADDRESS',
  'LANG',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SystemRoot',
  'SYSTEMROOT',
  'WINDIR',
  'ELECTRON_OVERRIDE_DIST_PATH',
];

// Main-process events that come from powerMonitor: raising them there exercises main's own wiring.
const powerMonitorEvents: Partial<Record<EventName, string>> = {
  'power:suspend': 'suspend',
  'power:lock-screen': 'lock-screen',
};

function electronEnv(home: string, userData: string, extra: LaunchOptions['env']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passedThrough) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // os.homedir() reads HOME (USERPROFILE on Windows); app data goes under the temporary HOME too.
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(userData, 'config'),
    APPDATA: join(userData, 'appdata'),
    ...extra,
  };
}

type RecordedCalls = {
  notifications: { title: string; body: string; emit: (name: string) => void }[];
  badges: number[];
};

/** Records every Notification main shows and every badge count it sets, still showing them. */
async function recordMainCalls(electronApp: ElectronApplication): Promise<void> {
  await electronApp.evaluate(({ app, Notification }) => {
    const calls: RecordedCalls = { notifications: [], badges: [] };
    (globalThis as unknown as { __regvaultCalls: RecordedCalls }).__regvaultCalls = calls;
    const show = Notification.prototype.show;
    Notification.prototype.show = function (this: Notification) {
      calls.notifications.push(this as unknown as RecordedCalls['notifications'][number]);
      show.call(this);
    };
    const setBadgeCount = app.setBadgeCount.bind(app);
    app.setBadgeCount = (count?: number) => {
      calls.badges.push(count ?? 0);
      return setBadgeCount(count);
    };
  });
}

/** Starts the real app with a temporary HOME and its own user-data directory. */
export async function launchElectron(
  options: LaunchOptions,
  home: string,
  removeHome: () => Promise<void>,
): Promise<Regvault> {
  const userData = options.profileDir ?? join(home, '.regvault-user-data');
  await mkdir(userData, { recursive: true });
  const electronApp = await _electron.launch({
    args: ['.', `--user-data-dir=${userData}`],
    cwd: root,
    env: electronEnv(home, userData, options.env),
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await electronApp.firstWindow();
  // The same content size as the Chromium harness, so layouts (and virtualized lists) match.
  await electronApp.evaluate(({ BrowserWindow }, size) => {
    BrowserWindow.getAllWindows()[0]?.setContentSize(size.width, size.height);
  }, options.viewport ?? defaultViewport);
  await page.waitForLoadState('domcontentloaded');
  await recordMainCalls(electronApp);
  return {
    runtime: 'electron',
    page,
    home,
    helperDataDir: userData,
    origin: 'app://regvault',
    context: electronApp.context(),
    clipboardText: () => electronApp.evaluate(({ clipboard }) => clipboard.readText()),
    copyElsewhere: (text) => electronApp.evaluate(({ clipboard }, value) => clipboard.writeText(value), text),
    mainCalls: () =>
      electronApp.evaluate(() => {
        const calls = (globalThis as unknown as { __regvaultCalls: RecordedCalls }).__regvaultCalls;
        return { notifications: calls.notifications.map(({ title, body }) => ({ title, body })), badges: calls.badges };
      }),
    clickNotification: (index) =>
      electronApp.evaluate((_electron, i) => {
        const calls = (globalThis as unknown as { __regvaultCalls: RecordedCalls }).__regvaultCalls;
        calls.notifications[i]?.emit('click');
      }, index),
    emit: async (event, payload) => {
      const powerEvent = powerMonitorEvents[event];
      if (powerEvent)
        return void (await electronApp.evaluate(({ powerMonitor }, name) => void powerMonitor.emit(name), powerEvent));
      await electronApp.evaluate(
        ({ BrowserWindow }, [channel, name, data]) =>
          BrowserWindow.getAllWindows()[0]?.webContents.send(channel, name, data),
        [eventChannel, event, payload] as const,
      );
    },
    close: async () => {
      await electronApp.close();
      await removeHome();
    },
  };
}
