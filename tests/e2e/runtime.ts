// Chooses what the end-to-end specs drive: the real Electron app where its binary is installed,
// else the built renderer in Chromium with the real main-process handlers behind it.
import { chromium } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What the specs run against, or why nothing can run. */
export type Runtime =
  | Readonly<{ kind: 'electron'; executable: string }>
  | Readonly<{ kind: 'chromium'; executablePath: string; source: 'system' | 'playwright'; why: string }>
  | Readonly<{ kind: 'missing'; message: string }>;

/** What the machine offers, gathered once by `probeMachine` (a plain value, so the choice is testable). */
export type MachineProbe = Readonly<{
  platform: NodeJS.Platform;
  /** `REGVAULT_E2E`: `electron` or `chromium` forces one; unset chooses. */
  forced: string | undefined;
  /** Electron's executable when the binary is really there, else null. */
  electronBinary: string | null;
  /** `REGVAULT_CHROMIUM` or Debian's `/usr/bin/chromium`, and whether it exists. */
  systemChromium: Readonly<{ path: string; fromEnv: boolean; exists: boolean }>;
  /** Playwright's own Chromium (`npx playwright install chromium`) when installed, else null. */
  playwrightChromium: string | null;
}>;

type FileAccess = Readonly<{ exists: (path: string) => boolean; read: (path: string) => string }>;

const diskAccess: FileAccess = { exists: existsSync, read: (path) => readFileSync(path, 'utf8') };

/**
 * Where Electron's executable is, or null — found the way `electron/index.js` finds it, but
 * without requiring that file: when the binary is missing it starts a download (and throws).
 */
export function findElectronBinary(
  electronDir: string | null,
  env: Readonly<Record<string, string | undefined>>,
  files: FileAccess = diskAccess,
): string | null {
  if (electronDir === null) return null;
  let relative: string | null = null;
  try {
    relative = files.read(join(electronDir, 'path.txt')).trim() || null;
  } catch {
    relative = null;
  }
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const candidate = override
    ? join(override, relative ?? 'electron')
    : relative === null
      ? null
      : join(electronDir, 'dist', relative);
  return candidate !== null && files.exists(candidate) ? candidate : null;
}

function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function playwrightChromiumPath(exists: (path: string) => boolean): string | null {
  try {
    const path = chromium.executablePath();
    return path && exists(path) ? path : null;
  } catch {
    return null;
  }
}

/** Looks at this machine: Electron's binary, Debian's (or the configured) Chromium, Playwright's Chromium. */
export function probeMachine(env: Readonly<Record<string, string | undefined>> = process.env): MachineProbe {
  const configured = env['REGVAULT_CHROMIUM'];
  const systemPath = configured ?? '/usr/bin/chromium';
  return {
    platform: process.platform,
    forced: env['REGVAULT_E2E'],
    electronBinary: findElectronBinary(electronPackageDir(), env),
    systemChromium: { path: systemPath, fromEnv: configured !== undefined, exists: existsSync(systemPath) },
    playwrightChromium: playwrightChromiumPath(existsSync),
  };
}

function installHint(platform: NodeJS.Platform): string {
  const chromiumHint =
    platform === 'linux'
      ? "install Chromium (Debian: `apt-get install chromium`) or Playwright's (`npx playwright install chromium`)"
      : "install Playwright's Chromium (`npx playwright install chromium`) or set REGVAULT_CHROMIUM to a Chrome/Chromium executable";
  return `Either run \`npm install\` with internet access (it downloads Electron's binary, and the tests then drive the real app), or ${chromiumHint}.`;
}

function chooseChromium(probe: MachineProbe, why: string): Runtime {
  const system = probe.systemChromium;
  if (system.exists) return { kind: 'chromium', executablePath: system.path, source: 'system', why };
  if (system.fromEnv) {
    return { kind: 'missing', message: `REGVAULT_CHROMIUM is set to ${system.path}, which does not exist.` };
  }
  if (probe.playwrightChromium) {
    return { kind: 'chromium', executablePath: probe.playwrightChromium, source: 'playwright', why };
  }
  return {
    kind: 'missing',
    message: `No browser for the end-to-end tests: Electron's binary is not installed and no Chromium was found (looked for ${system.path} and Playwright's own). ${installHint(probe.platform)}`,
  };
}

/** The runtime for this machine: Electron when installed (or forced), else Chromium, else a message. */
export function chooseRuntime(probe: MachineProbe): Runtime {
  if (probe.forced === 'chromium') return chooseChromium(probe, 'REGVAULT_E2E=chromium');
  if (probe.forced !== undefined && probe.forced !== 'electron') {
    return { kind: 'missing', message: `REGVAULT_E2E must be "electron" or "chromium", not "${probe.forced}".` };
  }
  if (probe.electronBinary) return { kind: 'electron', executable: probe.electronBinary };
  if (probe.forced === 'electron') {
    return {
      kind: 'missing',
      message: `REGVAULT_E2E=electron, but Electron's binary is not installed. ${installHint(probe.platform)}`,
    };
  }
  return chooseChromium(probe, "Electron's binary is not installed");
}

/** The one line `npm test` prints, saying what the end-to-end specs ran against. */
export function describeRuntime(runtime: Runtime): string {
  switch (runtime.kind) {
    case 'electron':
      return `End-to-end: the real Electron app (${runtime.executable}).`;
    case 'chromium':
      return `End-to-end: the Chromium harness (${runtime.source === 'playwright' ? "Playwright's Chromium" : 'Chromium'} at ${runtime.executablePath}), because ${runtime.why}.`;
    case 'missing':
      return `End-to-end: cannot run. ${runtime.message}`;
  }
}
