// A stand-in for the `electron` module that records what the built main bundle asks of it, so the
// wiring in electron/main.ts can be checked where Electron's binary cannot run.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Listener = (...args: unknown[]) => unknown;

/** A WebContents as main's lock-down code sees it: event handlers and the window-open handler. */
export class StubWebContents extends EventEmitter {
  readonly mainFrame = { url: 'app://regvault/index.html' };
  readonly sent: unknown[][] = [];
  windowOpenHandler: Listener | null = null;
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
}

/** A notification main showed: its options, and `emit('click')` to click it. */
export type ShownNotification = Readonly<{
  options: { title: string; body: string };
  emit: (event: string) => boolean;
}>;

type NotificationClass = {
  new (options: { title: string; body: string }): ShownNotification;
  isSupported: () => boolean;
};

/** Builds a fresh recording `electron` module; `singleInstance` is what requestSingleInstanceLock answers. */
export function createElectronStub(singleInstance = true) {
  const windows: StubBrowserWindow[] = [];
  let windowCreated: (window: StubBrowserWindow) => void = () => {};
  const firstWindow = new Promise<StubBrowserWindow>((done) => (windowCreated = done));
  let quitCalled: () => void = () => {};
  const quit = new Promise<void>((done) => (quitCalled = done));
  const calls = {
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, Listener>(),
    ipcHandlers: new Map<string, Listener>(),
    permissionRequestHandler: null as Listener | null,
    permissionCheckHandler: null as Listener | null,
    quits: 0,
    whenReady: 0,
    clipboard: [] as { method: string; items?: unknown[] }[],
    notifications: [] as ShownNotification[],
    badges: [] as number[],
    singleInstanceRequests: 0,
    exits: [] as number[],
    /** Every native message box main showed, and the button index the stand-in user picks (0: the first). */
    messageBoxes: [] as { title?: string; message: string; detail?: string; buttons?: string[] }[],
    messageBoxAnswer: 0,
  };
  // Where main keeps its data (the credential helper's channel): a fresh folder per stub.
  const userData = mkdtempSync(join(tmpdir(), 'regvault-stub-userdata-'));
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((done) => (exited = done));

  const app = Object.assign(new EventEmitter(), {
    requestSingleInstanceLock: () => {
      calls.singleInstanceRequests += 1;
      return singleInstance;
    },
    isPackaged: false,
    getPath: (name: string) => (name === 'userData' ? userData : tmpdir()),
    exit: (code = 0) => {
      calls.exits.push(code);
      exited(code);
    },
    quit: () => {
      calls.quits += 1;
      quitCalled();
    },
    getName: () => 'Regvault',
    getVersion: () => '0.0.0-test',
    setBadgeCount: (count?: number) => {
      calls.badges.push(count ?? 0);
      return true;
    },
    whenReady: () => {
      calls.whenReady += 1;
      return Promise.resolve();
    },
  });

  class StubBrowserWindow {
    readonly webContents = new StubWebContents();
    loadedUrl: string | null = null;
    constructor(readonly options: Record<string, unknown>) {
      windows.push(this);
      // As Electron does: every new WebContents is announced on the app.
      app.emit('web-contents-created', {}, this.webContents);
      windowCreated(this);
    }
    static getAllWindows = () => windows;
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    on(): this {
      return this;
    }
    once(): this {
      return this;
    }
    show(): void {}
    isMinimized = () => false;
    restore(): void {}
    focus(): void {}
  }

  class StubNotification extends EventEmitter {
    static isSupported = () => true;
    constructor(readonly options: { title: string; body: string }) {
      super();
    }
    show(): void {
      calls.notifications.push(this);
    }
  }

  class ClipboardItem {
    constructor(readonly items: Record<string, unknown>) {}
  }
  let clipboardText = '';
  const clipboard = {
    readText: () => Promise.resolve(clipboardText),
    write: (items: ClipboardItem[]) => {
      calls.clipboard.push({ method: 'write', items });
      const text = items[0]?.items['text/plain'];
      clipboardText = typeof text === 'string' ? text : '';
      return Promise.resolve();
    },
    writeText: (text: string) => {
      calls.clipboard.push({ method: 'writeText' });
      clipboardText = text;
      return Promise.resolve();
    },
    clear: () => {
      calls.clipboard.push({ method: 'clear' });
      clipboardText = '';
    },
  };

  const dialog = {
    showMessageBox: (...args: unknown[]) => {
      const options = args.at(-1) as { title?: string; message: string; detail?: string; buttons?: string[] };
      calls.messageBoxes.push(options);
      return Promise.resolve({ response: calls.messageBoxAnswer, checkboxChecked: false });
    },
  };

  const module = {
    app,
    dialog,
    BrowserWindow: StubBrowserWindow,
    ClipboardItem,
    Notification: StubNotification as unknown as NotificationClass,
    clipboard,
    ipcMain: { handle: (channel: string, fn: Listener) => void calls.ipcHandlers.set(channel, fn) },
    powerMonitor: new EventEmitter(),
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => void calls.privilegedSchemes.push(...schemes),
      handle: (scheme: string, fn: Listener) => void calls.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => void (calls.permissionRequestHandler = fn),
        setPermissionCheckHandler: (fn: Listener) => void (calls.permissionCheckHandler = fn),
      },
    },
  };
  return {
    module,
    calls,
    windows,
    firstWindow,
    quit,
    exit,
    userData,
    clipboardText: () => clipboardText,
    /** Another application puts text on the clipboard. */
    copyElsewhere: (text: string) => void (clipboardText = text),
  };
}

/** The stub's type, for tests. */
export type ElectronStub = ReturnType<typeof createElectronStub>;
