// Electron's binary cannot be downloaded here, so packaging itself cannot run. What can be checked
// without it: electron-builder accepts the configuration, and what it would pack exists.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('is a configuration electron-builder accepts, with the targets the product ships', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('packs an icon of our own large enough for every platform', () => {
    const { width, height } = pngSize(join(root, 'build/icon.png'));
    expect(width).toBeGreaterThanOrEqual(512);
    expect(height).toBe(width);
  });

  it('points main at the bundled main process, next to its preload and the built renderer', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; dependencies?: object };
    // Everything is bundled: a runtime dependency would be packed (and native ones rebuilt) for nothing.
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const file of [pkg.main, 'dist/electron/preload.cjs', 'dist/renderer/index.html']) {
      expect(existsSync(join(root, file)), `${file} (run npm run build first)`).toBe(true);
    }
  });
});
