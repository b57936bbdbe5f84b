/**
 * The credential helper's state as components reach it (Svelte context, set once in App.svelte):
 * the served entries and the vault a switch in the list belongs to.
 */
import { getContext, setContext } from 'svelte';
import type { DockerComparison } from '../docker-compare.svelte';
import type { DockerServing } from './docker-serving.svelte';

/** What a "Serve to Docker" switch and an "Update Docker config" action need. */
export type DockerHelperContext = Readonly<{
  serving: DockerServing;
  currentVaultId: () => string | null;
  /** The open vault's comparison with Docker's config (its badges), null while locked. */
  comparison: () => DockerComparison | null;
}>;

const KEY = Symbol('docker-helper');

/** Called once by App.svelte. */
export function provideDockerHelper(context: DockerHelperContext): void {
  setContext(KEY, context);
}

/** The context, or undefined outside the app (component tests). */
export function useDockerHelper(): DockerHelperContext | undefined {
  return getContext<DockerHelperContext | undefined>(KEY);
}
