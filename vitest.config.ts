import { svelte } from '@sveltejs/vite-plugin-svelte';
import { configDefaults, defineConfig } from 'vitest/config';

// The renderer's rune classes (`*.svelte.ts`) are tested in `*.svelte.test.ts`, compiled by the Svelte
// plugin for the client; everything else runs as plain Node modules.
const runeTests = 'renderer/**/*.svelte.test.ts';

// Sync suites that run against both relay stores (SQLite in `node`, PostgreSQL in `relay-postgres`),
// and the tests only PostgreSQL has (several relay nodes).
const relayPostgresSuites = [
  'tests/integration/sync/{convergence,durability,bad-input,malicious-relay,rollback,removed-device,snapshot-trust,reset,link,offline,invitations,key-rotation,key-rotation-attacks,epoch-counters}.test.ts',
  'tests/integration/relay-pg/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'shared/**/*.test.ts',
            'electron/**/*.test.ts',
            'renderer/**/*.test.ts',
            'relay/**/*.test.ts',
            'agent/**/*.test.ts',
            'tests/integration/**/*.test.ts',
            'tests/lint/**/*.test.ts',
          ],
          exclude: [...configDefaults.exclude, runeTests, 'tests/integration/relay-pg/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        // The sync suites again, with every relay storing in PostgreSQL (a cluster started for the run).
        test: {
          name: 'relay-postgres',
          include: relayPostgresSuites,
          // A commit waits for PostgreSQL's fsync over a socket, and every test restarts relays.
          testTimeout: 90_000,
          environment: 'node',
          globalSetup: ['tests/support/postgres-setup.ts'],
          setupFiles: ['tests/support/postgres-worker.ts'],
        },
      },
      {
        extends: true,
        plugins: [svelte({ configFile: 'renderer/svelte.config.js' })],
        // Svelte itself goes through Vite too: left to Node, `svelte` and `svelte/reactivity` resolve to
        // their server builds, where SvelteSet is a plain Set and effects never re-run.
        resolve: { conditions: ['browser'] },
        test: {
          name: 'runes',
          include: [runeTests],
          environment: './tests/runes-environment.ts',
          server: { deps: { inline: [/svelte/] } },
        },
      },
    ],
  },
});
