import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { createDispatch } from '../../electron/ipc/dispatch';
import { createHandlers } from '../../electron/ipc/handlers';
import type { ServiceContext } from '../../electron/services/context';
import { contentSecurityPolicy, contentTypeFor, resolveRendererPath } from '../../electron/security';
import type { EventName } from '../../shared/ipc/contract';

const root = resolve(import.meta.dirname, '../..');
const rendererRoot = join(root, 'dist/renderer');
const harnessPreload = join(root, 'dist/e2e/preload-harness.js');

/** Chromium from Debian; Playwright's own browser download cannot work here. */
export const chromiumPath = process.env['REGVAULT_CHROMIUM'] ?? '/usr/bin/chromium';
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

export type LaunchOptions = Readonly<{
  /** The temporary HOME main-process services use; made and removed by the harness when absent. */
  home?: string;
  /** Extra environment for the services (e.g. DOCKER_CONFIG, PATH with a test credential helper). */
  env?: Readonly<Record<string, string>>;
  /** Persist the browser profile (IndexedDB) in this directory, so a second launch sees the same data. */
  profileDir?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: Readonly<{ width: number; height: number }>;
}>;

export type Regvault = Readonly<{
  page: Page;
  home: string;
  origin: string;
  context: BrowserContext;
  /** What main's clipboard holds now. */
  clipboardText: () => string;
  /** Sends a main-process event (e.g. `power:suspend`) to the renderer, as main would. */
  emit: (event: EventName, payload?: unknown) => Promise<void>;
  close: () => Promise<void>;
}>;

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

async function openContext(options: LaunchOptions): Promise<{ context: BrowserContext; browser?: Browser }> {
  const contextOptions = {
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1200, height: 780 },
    reducedMotion: 'reduce' as const,
  };
  const launch = { executablePath: chromiumPath, args: chromiumArgs, headless: true };
  if (options.profileDir) {
    return { context: await chromium.launchPersistentContext(options.profileDir, { ...launch, ...contextOptions }) };
  }
  const browser = await chromium.launch(launch);
  return { browser, context: await browser.newContext(contextOptions) };
}

/**
 * Opens the built renderer in Chromium with the real preload and the real main-process handler
 * table behind it. Only the transport differs from Electron: exposeBinding instead of ipcMain.
 */
export async function launchRegvault(options: LaunchOptions = {}): Promise<Regvault> {
  const ownHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'regvault-home-')));
  const { server, origin } = await serveRenderer();
  // Stands in for Electron's clipboard module (part of `electron`, which cannot run here).
  const clipboard = {
    text: '',
    readText: () => clipboard.text,
    writeText: (text: string) => void (clipboard.text = text),
  };
  const services: ServiceContext = {
    appName: 'Regvault',
    appVersion: JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version,
    home,
    env: { HOME: home, PATH: process.env['PATH'] ?? '', ...options.env },
    platform: process.platform,
    clipboard,
  };
  const dispatch = createDispatch(createHandlers(services), origin);
  const { context, browser } = await openContext(options);
  await context.exposeBinding('__regvaultInvoke', ({ frame, page }, channel: string, input: unknown) =>
    dispatch(channel, input, { url: frame.url(), isMainFrame: frame === page.mainFrame() }),
  );
  await context.addInitScript({ path: harnessPreload });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/index.html`);
  return {
    page,
    home,
    origin,
    context,
    clipboardText: () => clipboard.text,
    emit: (event, payload) =>
      page.evaluate(([name, data]) => window.__regvaultEmit('regvault:event', name, data), [event, payload] as const),
    close: async () => {
      await context.close();
      await browser?.close();
      await new Promise((done) => server.close(done));
      if (ownHome) await rm(home, { recursive: true, force: true });
    },
  };
}
