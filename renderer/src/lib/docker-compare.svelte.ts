/**
 * How each entry of the open vault stands in Docker's config.json, for the "In Docker config" badges
 * of the entry list and the Docker config screen. No secret goes to main for it: each is sent as
 * HMAC-SHA-256 under a key made for this session, and main compares that with what the file (or its
 * credential helper) holds. Digests are kept per entry (docker-digests.ts): an edit rehashes only what changed.
 */
import { untrack } from 'svelte';
import type { Entry } from '../../../shared/entries';
import { DigestCache, noStates, statesOf, type DockerState } from './docker-digests';

/** The comparison for one open vault; `compare` runs again whenever the entries or the file may have changed. */
export class DockerComparison {
  states = $state.raw<ReadonlyMap<string, DockerState>>(noStates);
  error = $state<string | null>(null);
  private cache: Promise<DigestCache> | null = null;
  private running: Promise<void> | null = null;
  private again: boolean | null = null;
  /** Bumped by `clear`: a run that started before it must not bring the old vault's states back. */
  private generation = 0;

  constructor(private readonly entries: () => readonly Entry[]) {}

  /**
   * Compares the current entries; calls made while one runs fold into one more run afterwards.
   * `refresh` asks the credential helpers again even if config.json did not change.
   */
  compare(refresh = false): Promise<void> {
    if (this.running) {
      this.again = (this.again ?? false) || refresh;
      return this.running;
    }
    this.running = this.run(refresh).finally(() => {
      this.running = null;
      const again = this.again;
      this.again = null;
      if (again !== null) void this.compare(again);
    });
    return this.running;
  }

  /**
   * While a screen shows the comparison: compares again whenever the entries change and whenever the
   * window regains focus (the user may have run `docker login` meanwhile). Returns the stop function.
   */
  watch(): () => void {
    let stopped = false;
    const stopEffect = $effect.root(() => {
      $effect(() => {
        void this.entries();
        // After the list has painted: hashing and sending 10,000 entries must not hold back the first rows
        // after unlock (issue #12); the badges follow a frame later.
        untrack(() => afterPaint(() => !stopped && void this.compare()));
      });
    });
    const onFocus = () => void this.compare();
    window.addEventListener('focus', onFocus);
    return () => {
      stopped = true;
      stopEffect();
      window.removeEventListener('focus', onFocus);
    };
  }

  /** Forgets the key, the digests and the states (the vault closed or the app locked). */
  clear(): void {
    this.generation += 1;
    this.cache = null;
    this.states = noStates;
    this.error = null;
  }

  private async run(refresh: boolean): Promise<void> {
    const generation = this.generation;
    const cache = await (this.cache ??= DigestCache.create());
    const entries = this.entries();
    const items = await Promise.all(entries.map((entry) => cache.itemOf(entry)));
    const result = await window.regvault.docker.compare({ key: cache.key, refresh, entries: items });
    if (generation !== this.generation) return;
    if (!result.ok) {
      this.error = result.error.message;
      return;
    }
    this.error = null;
    this.states = statesOf(result.value);
    cache.keepOnly(entries.map((entry) => entry.id));
  }
}

/** Runs `task` once the next frame has been painted (a timer after the frame callback). */
function afterPaint(task: () => unknown): void {
  const frame = globalThis.requestAnimationFrame ?? ((callback: () => void) => setTimeout(callback, 0));
  frame(() => setTimeout(task, 0));
}
