import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import svelteConfig from './renderer/svelte.config.js';

// Anchored: a bare `crypto` pattern would also match our own `shared/crypto/` folder.
const nodeBuiltins =
  '^(node:.*|fs|path|os|child_process|crypto|http|https|net|tls|url|util|stream|events|buffer)(/.*)?$';

/** Runtime boundaries by folder (STYLE.md §4): each folder may import only what runs where it runs. */
const boundaries = {
  shared: {
    patterns: [
      { regex: '^electron(/.*)?$', message: 'shared/ runs in every process: no electron.' },
      { regex: nodeBuiltins, message: 'shared/ runs in the renderer too: no Node built-ins.' },
      {
        group: ['**/renderer/**', '**/electron/**', '**/relay/**', 'svelte', 'svelte/*', 'dexie'],
        message: 'shared/ depends on nothing above it.',
      },
    ],
  },
  renderer: {
    patterns: [
      { regex: '^electron(/.*)?$', message: 'The renderer reaches main through window.regvault only.' },
      { regex: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
      {
        group: ['**/electron/**', '**/relay/**', '**/tests/**'],
        message: 'renderer/ imports only renderer/ and shared/.',
      },
    ],
  },
  relay: {
    patterns: [
      { regex: '^electron(/.*)?$', message: 'The relay is a plain Node server: no electron.' },
      { group: ['**/renderer/**', '**/electron/**'], message: 'relay/ imports only relay/ and shared/.' },
    ],
  },
  agent: {
    patterns: [
      { regex: '^electron(/.*)?$', message: 'The agent is a plain Node CLI: no electron.' },
      {
        group: [
          '**/renderer/**',
          '**/tests/**',
          '**/relay/*',
          '!**/relay/ed25519',
          '**/electron/*',
          '!**/electron/services',
        ],
        message:
          "agent/ imports agent/, shared/, the Node-side services under electron/services/ and the relay's verifier only.",
      },
    ],
  },
  electron: {
    patterns: [
      {
        group: ['**/renderer/**', '**/relay/**'],
        message: 'electron/ (main and preload) imports only electron/ and shared/.',
      },
    ],
  },
  outsideElectron: {
    patterns: [{ regex: '^electron(/.*)?$', message: 'electron is imported only under electron/.' }],
  },
};

/** Never linted: build output, dependencies, docs. */
export const ignores = [
  'dist/**',
  'release/**',
  'node_modules/**',
  'test-results/**',
  '.tsbuild/**',
  'docs/**',
  'relay-data/**',
  'agent/dist/**',
  'relay/dist/**',
  'coverage/**',
  'tests/fixtures/boundary/**',
];

// The type-aware rules (no-floating-promises, svelte/no-unused-props) need a whole TypeScript
// program, which costs twice the rest of lint: they live in eslint.typed.config.js and run with
// `npm test` (tests/lint/typed-lint.test.ts), so `npm run check` stays a fast gate.
export default tseslint.config(
  { ignores },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      parserOptions: { extraFileExtensions: ['.svelte'] },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // State is runes ($state, $derived), never svelte/store.
      'svelte/require-store-reactive-access': 'off',
      // Type-aware: in eslint.typed.config.js.
      'svelte/no-unused-props': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, svelteConfig },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', boundaries.shared] },
  },
  {
    files: ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'],
    ignores: ['renderer/**/*.test.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', boundaries.renderer] },
  },
  { files: ['relay/**/*.ts'], rules: { 'no-restricted-imports': ['error', boundaries.relay] } },
  {
    files: ['agent/**/*.ts'],
    ignores: ['agent/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', boundaries.agent] },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', boundaries.electron] },
  },
  {
    // No import cycles anywhere (STYLE.md §9). As in eslint-plugin-import, `import type` edges do
    // not count: they vanish at run time and cannot leave a module half-initialized.
    files: ['**/*.ts', '**/*.svelte'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.svelte'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.svelte'] })],
      // Components are not parsed for cycles (their markup needs the svelte parser chain); cycles
      // through .ts modules, .svelte.ts rune modules included, are all caught.
      'import-x/ignore': ['\\.svelte$'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', boundaries.outsideElectron] },
  },
);
