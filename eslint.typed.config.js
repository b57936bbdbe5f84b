// The type-aware lint rules alone. They build a whole TypeScript program and cost about twice the rest
// of lint, so `npm run check` leaves them out and `npm test` runs them (tests/lint/typed-lint.test.ts):
// CI still fails on a floating promise or an unused component prop.
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import { ignores } from './eslint.config.js';
import svelteConfig from './renderer/svelte.config.js';

const typed = { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] };

export default tseslint.config(
  { ignores },
  // Every other rule is off here, so the disable comments written for them are not "unused".
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: typed } },
  ...svelte.configs.base,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { ...typed, parser: tseslint.parser, svelteConfig } },
  },
  {
    files: ['**/*.ts', '**/*.svelte'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  { files: ['**/*.svelte'], rules: { 'svelte/no-unused-props': 'error' } },
);
