// Bundles the main process and the preload (sandboxed preloads cannot load local modules),
// plus the end-to-end harness's copy of the same preload with `electron` swapped for a shim.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = { bundle: true, sourcemap: true, target: 'node20', logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main.ts'],
    outfile: 'dist/electron/main.cjs',
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/e2e/preload-harness.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    alias: { electron: './tests/e2e/electron-shim.ts' },
  }),
  // docker-credential-regvault as a plain Node script (tests, development); the app runs the same code in helper mode.
  build({
    ...common,
    entryPoints: ['electron/services/cred-helper/cli.ts'],
    outfile: 'dist/helper/docker-credential-regvault.cjs',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    define: { REGVAULT_VERSION: JSON.stringify(version) },
  }),
]);
