// Node globals, but modules transformed by Vite's client environment: the Svelte plugin then compiles
// `*.svelte.ts` for the browser, so runes ($state, $derived) are reactive in unit tests as in the app.
import type { Environment } from 'vitest/environments';

export default {
  name: 'runes',
  viteEnvironment: 'client',
  setup: () => ({ teardown: () => undefined }),
} satisfies Environment;
