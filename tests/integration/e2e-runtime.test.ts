// Which runtime the end-to-end specs use. The Electron path cannot run on the project's machines
// (no binary), so its choice is proved here against laid-out files, not by launching it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseRuntime, describeRuntime, findElectronBinary, probeMachine, type MachineProbe } from '../e2e/runtime';

const scratch = await mkdtemp(join(tmpdir(), 'regvault-runtime-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** An `electron` package directory as npm leaves it: with or without the downloaded binary. */
async function electronPackage(name: string, layout: { pathTxt?: string; binary?: string }): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'dist'), { recursive: true });
  if (layout.pathTxt !== undefined) await writeFile(join(dir, 'path.txt'), layout.pathTxt);
  if (layout.binary !== undefined) await writeFile(join(dir, 'dist', layout.binary), '#!/bin/sh\n');
  return dir;
}

function probe(overrides: Partial<MachineProbe>): MachineProbe {
  return {
    platform: 'linux',
    forced: undefined,
    electronBinary: null,
    systemChromium: { path: '/usr/bin/chromium', fromEnv: false, exists: true },
    playwrightChromium: null,
    ...overrides,
  };
}

describe("finding Electron's binary without requiring electron/index.js", () => {
  it('finds it where path.txt points, when the file is there', async () => {
    const dir = await electronPackage('installed', { pathTxt: 'electron', binary: 'electron' });
    expect(findElectronBinary(dir, {})).toBe(join(dir, 'dist', 'electron'));
  });

  it('installed with ELECTRON_SKIP_BINARY_DOWNLOAD (no path.txt, no dist): none', async () => {
    const dir = await electronPackage('skipped', {});
    expect(findElectronBinary(dir, {})).toBeNull();
  });

  it('path.txt left behind but the binary deleted: none (index.js would start a download)', async () => {
    const dir = await electronPackage('deleted', { pathTxt: 'Electron.app/Contents/MacOS/Electron' });
    expect(findElectronBinary(dir, {})).toBeNull();
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as index.js does', async () => {
    const dir = await electronPackage('override', {});
    const dist = join(scratch, 'custom-dist');
    await mkdir(dist, { recursive: true });
    expect(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: dist })).toBeNull();
    await writeFile(join(dist, 'electron'), '');
    expect(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(join(dist, 'electron'));
  });

  it('no electron package at all: none', () => {
    expect(findElectronBinary(null, {})).toBeNull();
  });

  it('the electron package here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD) is seen as having no binary', () => {
    expect(probeMachine({ ...process.env, REGVAULT_E2E: undefined }).electronBinary).toBeNull();
  });
});

describe('choosing the runtime', () => {
  it('binary present: the real app', () => {
    const runtime = chooseRuntime(probe({ electronBinary: '/x/electron' }));
    expect(runtime).toEqual({ kind: 'electron', executable: '/x/electron' });
    expect(describeRuntime(runtime)).toBe('End-to-end: the real Electron app (/x/electron).');
  });

  it('binary absent: the Chromium harness, and the line says why', () => {
    const runtime = chooseRuntime(probe({}));
    expect(runtime).toMatchObject({ kind: 'chromium', executablePath: '/usr/bin/chromium', source: 'system' });
    expect(describeRuntime(runtime)).toContain(
      "the Chromium harness (Chromium at /usr/bin/chromium), because Electron's binary is not installed",
    );
  });

  it('REGVAULT_E2E=chromium uses Chromium even where Electron is installed', () => {
    const runtime = chooseRuntime(probe({ forced: 'chromium', electronBinary: '/x/electron' }));
    expect(runtime).toMatchObject({ kind: 'chromium', why: 'REGVAULT_E2E=chromium' });
  });

  it('REGVAULT_E2E=electron without the binary: a message, not a silent fallback', () => {
    const runtime = chooseRuntime(probe({ forced: 'electron' }));
    expect(runtime.kind).toBe('missing');
    expect(describeRuntime(runtime)).toContain("Electron's binary is not installed");
  });

  it("no Debian Chromium but Playwright's own: uses Playwright's", () => {
    const runtime = chooseRuntime(
      probe({
        platform: 'darwin',
        systemChromium: { path: '/usr/bin/chromium', fromEnv: false, exists: false },
        playwrightChromium: '/Users/me/Library/Caches/ms-playwright/chromium/chrome',
      }),
    );
    expect(runtime).toMatchObject({ kind: 'chromium', source: 'playwright' });
  });

  it.each(['darwin', 'win32'] as const)('%s with neither Electron nor any Chromium: a clear message', (platform) => {
    const runtime = chooseRuntime(
      probe({ platform, systemChromium: { path: '/usr/bin/chromium', fromEnv: false, exists: false } }),
    );
    expect(runtime.kind).toBe('missing');
    const message = describeRuntime(runtime);
    expect(message).toContain('npm install');
    expect(message).toContain('npx playwright install chromium');
    expect(message).toContain('REGVAULT_CHROMIUM');
    expect(message).not.toContain('apt-get');
  });

  it('a REGVAULT_CHROMIUM that does not exist is named, not replaced by another browser', () => {
    const runtime = chooseRuntime(
      probe({
        systemChromium: { path: '/opt/chrome', fromEnv: true, exists: false },
        playwrightChromium: '/cache/chrome',
      }),
    );
    expect(runtime).toEqual({
      kind: 'missing',
      message: 'REGVAULT_CHROMIUM is set to /opt/chrome, which does not exist.',
    });
  });

  it('an unknown REGVAULT_E2E value is refused with the allowed ones', () => {
    expect(chooseRuntime(probe({ forced: 'firefox' }))).toMatchObject({ kind: 'missing' });
  });
});
