import type { BrowserContext, Page } from '@playwright/test';
import type { EventName } from '../../shared/ipc/contract';

/** The window's content size unless a test asks for another. */
export const defaultViewport = { width: 1200, height: 780 } as const;

/** How to start the app for one test. */
export type LaunchOptions = Readonly<{
  /** The temporary HOME main-process services use; made and removed by the harness when absent. */
  home?: string;
  /** Extra environment for the services (e.g. DOCKER_CONFIG, PATH with a test credential helper). */
  env?: Readonly<Record<string, string>>;
  /** Persist the browser profile (IndexedDB) in this directory, so a second launch sees the same data. */
  profileDir?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: Readonly<{ width: number; height: number }>;
  /** The launcher "Install command-line helper" links onto the PATH (the app's resources/helper in a real build). */
  helperLauncher?: string;
}>;

/** The record of main-process side effects a test asserts on (notifications and the badge). */
export type MainCalls = Readonly<{
  notifications: readonly Readonly<{ title: string; body: string }>[];
  badges: readonly number[];
}>;

/** The running app, the same page-object API whichever runtime drives it. */
export type Regvault = Readonly<{
  /** `electron`: the real app through Playwright's `_electron`; `chromium`: the harness. */
  runtime: 'electron' | 'chromium';
  page: Page;
  home: string;
  /** The app's data directory, where docker-credential-regvault finds the channel (REGVAULT_DATA_DIR). */
  helperDataDir: string;
  origin: string;
  context: BrowserContext;
  /** What main's clipboard holds now (as text). */
  clipboardText: () => Promise<string>;
  /** Another application (or the user) puts text on the clipboard. */
  copyElsewhere: (text: string) => Promise<void>;
  /** What main was asked to show (issue #17): each notification (title, body) in order, and every badge count set. */
  mainCalls: () => Promise<MainCalls>;
  /** The user clicks the `index`th notification main showed. */
  clickNotification: (index: number) => Promise<void>;
  /** Raises a main-process event (e.g. `power:suspend`) the way main would see it. */
  emit: (event: EventName, payload?: unknown) => Promise<void>;
  close: () => Promise<void>;
}>;
