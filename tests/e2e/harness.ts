import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { createDispatch } from '../../electron/ipc/dispatch';
import { createHandlers } from '../../electron/ipc/handlers';
import { createDockerHelperService } from '../../electron/services/docker-helper';
import type { ServiceContext } from '../../electron/services/context';
import { contentSecurityPolicy, contentTypeFor, resolveRendererPath } from '../../electron/security';
import { memoryClipboard } from '../../electron/services/fixtures/memory-clipboard';
import { recordingNotifier } from '../../electron/services/fixtures/recording-notifier';
import { recordingDialog } from '../../electron/services/fixtures/recording-dialog';
import { defaultViewport, type LaunchOptions, type Regvault } from './app-types';
import { launchElectron } from './launch-electron';
import { chooseRuntime, probeMachine, type Runtime } from './runtime';

export type { LaunchOptions, Regvault } from './app-types';

const root = resolve(import.meta.dirname, '../..');
const rendererRoot = join(root, 'dist/renderer');
const harnessPreload = join(root, 'dist/e2e/preload-harness.js');

/** Flags that keep Chromium quiet on a machine with no network but loopback. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

async function serveRenderer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = resolveRendererPath(rendererRoot, path, join);
    if (!file) return void response.writeHead(404).end();
    readFile(file).then(
      (body) => {
        const type = extname(file) ? contentTypeFor(file) : 'text/html; charset=utf-8';
        response.writeHead(200, {
          'content-type': type,
          'content-security-policy': contentSecurityPolicy,
          'cache-control': 'no-store',
        });
        response.end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function openContext(
  options: LaunchOptions,
  executablePath: string,
): Promise<{ context: BrowserContext; browser?: Browser }> {
  const contextOptions = {
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? defaultViewport,
    reducedMotion: 'reduce' as const,
  };
  const launch = { executablePath, args: chromiumArgs, headless: true };
  if (options.profileDir) {
    return { context: await chromium.launchPersistentContext(options.profileDir, { ...launch, ...contextOptions }) };
  }
  const browser = await chromium.launch(launch);
  return { browser, context: await browser.newContext(contextOptions) };
}

let chosen: Runtime | undefined;

/** What this machine runs the specs against (decided once per process; see runtime.ts). */
export function currentRuntime(): Runtime {
  return (chosen ??= chooseRuntime(probeMachine()));
}

/**
 * Starts Regvault for one test: the real Electron app where its binary is installed, else the
 * built renderer in Chromium with the real preload and main-process handlers behind it.
 */
export async function launchRegvault(options: LaunchOptions = {}): Promise<Regvault> {
  const runtime = currentRuntime();
  if (runtime.kind === 'missing') throw new Error(runtime.message);
  const ownHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'regvault-home-')));
  const removeHome = async () => {
    if (ownHome) await rm(home, { recursive: true, force: true });
  };
  if (runtime.kind === 'electron') return launchElectron(options, home, removeHome);
  return launchInChromium(options, home, removeHome, runtime.executablePath);
}

/** Only the transport differs from Electron: exposeBinding instead of ipcMain. */
async function launchInChromium(
  options: LaunchOptions,
  home: string,
  removeHome: () => Promise<void>,
  executablePath: string,
): Promise<Regvault> {
  const { server, origin } = await serveRenderer();
  // Stands in for Electron's clipboard module (part of `electron`, which cannot run here).
  const memory = memoryClipboard();
  // Stands in for Electron's Notification and app.setBadgeCount: records what main was asked to show.
  const notes = recordingNotifier();
  const dialog = recordingDialog();
  const services: ServiceContext = {
    appName: 'Regvault',
    appVersion: JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version,
    home,
    env: { HOME: home, PATH: process.env['PATH'] ?? '', ...options.env },
    platform: process.platform,
    clipboard: memory.clipboard,
    notifier: notes.notifier,
    // Stands in for Electron's save and folder dialogs: the user "chooses" folders of the temporary HOME.
    dialogs: {
      chooseSavePath: (name) => Promise.resolve(join(home, 'Backups', name)),
      chooseFolder: () => Promise.resolve(join(home, 'Automatic backups')),
    },
    // Main's native "Allow this command?" dialog: the user confirms (the question is recorded).
    confirm: dialog.confirm,
    dataDir: join(home, '.regvault-data'),
  };
  // docker-credential-regvault's channel, as main starts it; its questions reach the page as main's events.
  const helperDataDir = join(home, '.regvault-data');
  const helper = createDockerHelperService(services, {
    source: { launcher: options.helperLauncher ?? null },
  });
  const dispatch = createDispatch(createHandlers(services, undefined, helper), origin);
  const { context, browser } = await openContext(options, executablePath);
  await context.exposeBinding('__regvaultInvoke', ({ frame, page }, channel: string, input: unknown) =>
    dispatch(channel, input, { url: frame.url(), isMainFrame: frame === page.mainFrame() }),
  );
  await context.addInitScript({ path: harnessPreload });
  const page = context.pages()[0] ?? (await context.newPage());
  helper.attachRenderer((question) => {
    page
      .evaluate(([name, data]) => window.__regvaultEmit('regvault:event', name, data), [
        'helper:request',
        question,
      ] as const)
      .catch(() => undefined);
    return !page.isClosed();
  });
  const started = await helper.start(helperDataDir);
  if (!started.ok) throw new Error(started.error.message);
  await page.goto(`${origin}/index.html`);
  const emit: Regvault['emit'] = async (event, payload) =>
    page.evaluate(([name, data]) => window.__regvaultEmit('regvault:event', name, data), [event, payload] as const);
  return {
    runtime: 'chromium',
    page,
    home,
    helperDataDir,
    origin,
    context,
    clipboardText: () => Promise.resolve(memory.text()),
    copyElsewhere: (text) => Promise.resolve(memory.copyElsewhere(text)),
    emit,
    mainCalls: () => Promise.resolve(notes.calls()),
    // As main's Notification click handler does: the window comes forward and the renderer opens the entry.
    clickNotification: (index) => emit('reminder:open', notes.targetOf(index)),
    close: async () => {
      await helper.stop();
      await context.close();
      await browser?.close();
      await new Promise((done) => server.close(done));
      await removeHome();
    },
  };
}
