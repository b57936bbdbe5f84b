// Builds the relay's and the agent's own packages: one esbuild bundle per command with the shared/
// code inside and the npm dependencies left to each package's own package.json (installed with it).
// `node build/build-packages.mjs [relay|agent]…` (default: both); `npm pack ./relay` runs it first.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const versionOf = (dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).version;
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
};

const packages = {
  relay: () =>
    build({
      ...common,
      entryPoints: [join(root, 'relay/main.ts')],
      outfile: join(root, 'relay/dist/regvault-relay.cjs'),
    }),
  agent: () =>
    Promise.all([
      build({
        ...common,
        entryPoints: [join(root, 'agent/main.ts')],
        outfile: join(root, 'agent/dist/regvault.cjs'),
        define: { REGVAULT_AGENT_VERSION: JSON.stringify(versionOf('agent')) },
      }),
      build({
        ...common,
        entryPoints: [join(root, 'agent/helper-main.ts')],
        outfile: join(root, 'agent/dist/docker-credential-regvault.cjs'),
        define: { REGVAULT_AGENT_VERSION: JSON.stringify(versionOf('agent')) },
      }),
    ]),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(packages)) {
  const make = packages[name];
  if (!make) throw new Error(`unknown package "${name}": use relay or agent`);
  await make();
}
