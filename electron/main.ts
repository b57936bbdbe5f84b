import {
  app,
  BrowserWindow,
  clipboard,
  ClipboardItem,
  ipcMain,
  powerMonitor,
  protocol,
  session,
  type WebContents,
} from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { channels, eventChannel, type EventName } from '../shared/ipc/contract';
import { createDispatch } from './ipc/dispatch';
import { createHandlers } from './ipc/handlers';
import { electronConfirm } from './confirm-dialog';
import { adaptElectronClipboard, createSecretClipboard, type SecretClipboard } from './services/clipboard';
import { processContext } from './services/context';
import { electronNotifier } from './notifier';
import { electronDialogs } from './dialogs';
import { createDockerHelperService } from './services/docker-helper';
import { helperArguments, runHelperMode } from './helper-mode';
import { appOrigin, appScheme, contentSecurityPolicy, contentTypeFor, originOf, resolveRendererPath } from './security';

const rendererRoot = join(__dirname, '..', 'renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | null = null;
const systemClipboard = adaptElectronClipboard(clipboard, (payload) => new ClipboardItem(payload));
const secrets = createSecretClipboard(systemClipboard, process.platform);

function serveRenderer(): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'regvault' ? resolveRendererPath(rendererRoot, url.pathname, join) : null;
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: { 'content-type': contentTypeFor(file), 'content-security-policy': contentSecurityPolicy },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function lockDownContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (originOf(url) !== appOrigin) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

const serviceContext = processContext(app.getName(), app.getVersion(), systemClipboard);
// docker-credential-regvault's channel: the shipped launcher sits in resources/helper (extraResources).
const dockerHelper = createDockerHelperService(serviceContext, {
  source: {
    launcher: app.isPackaged
      ? join(process.resourcesPath, 'helper', `docker-credential-regvault${process.platform === 'win32' ? '.cmd' : ''}`)
      : null,
    ...(process.env['APPIMAGE'] ? { appImage: process.env['APPIMAGE'] } : {}),
  },
});

function registerIpc(): void {
  const dispatch = createDispatch(
    createHandlers(
      {
        ...serviceContext,
        notifier: electronNotifier(
          () => mainWindow,
          (target) => emit('reminder:open', target),
        ),
        dialogs: electronDialogs(() => mainWindow),
        confirm: electronConfirm(() => mainWindow),
        dataDir: app.getPath('userData'),
      },
      secrets,
      dockerHelper,
    ),
    appOrigin,
    (line) => console.warn(line),
  );
  for (const name of Object.keys(channels)) {
    ipcMain.handle(name, (event, input: unknown) => {
      const frame = event.senderFrame;
      const isMainFrame = frame !== null && mainWindow !== null && frame === mainWindow.webContents.mainFrame;
      return dispatch(name, input, { url: frame?.url ?? '', isMainFrame });
    });
  }
}

/** A secret Regvault copied must not outlive the app: quitting waits until it is cleared (if still there). */
function clearClipboardOnQuit(secrets: SecretClipboard): void {
  let cleared = false;
  app.on('will-quit', (event) => {
    if (cleared) return;
    event.preventDefault();
    void secrets
      .clearSecret()
      .catch(() => undefined)
      .finally(() => {
        cleared = true;
        app.quit();
      });
  });
}

function emit(event: EventName, payload?: unknown): void {
  mainWindow?.webContents.send(eventChannel, event, payload);
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: 'Regvault',
    show: false,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(`${appOrigin}/index.html`);
}

const helperArgs = helperArguments(process.argv);
if (helperArgs !== null) {
  runHelperMode(app, helperArgs);
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  clearClipboardOnQuit(secrets);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    serveRenderer();
    registerIpc();
    powerMonitor.on('suspend', () => emit('power:suspend'));
    powerMonitor.on('lock-screen', () => emit('power:lock-screen'));
    dockerHelper.attachRenderer((question) => {
      if (mainWindow === null) return false;
      emit('helper:request', question);
      return true;
    });
    void dockerHelper.start(app.getPath('userData'));
    app.on('will-quit', () => void dockerHelper.stop());
    createWindow();
  });
}
