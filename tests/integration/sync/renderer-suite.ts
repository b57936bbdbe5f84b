// For suites that run the renderer's store and sync hub in Node against one real relay process: the
// ports (node sockets, WebCrypto, fast retries) and the relay's lifetime around the suite.
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../../shared/sync/ports';
import { createWebCryptoVerifier } from '../../../renderer/src/lib/sync/browser-ports';
import type { SyncPorts } from '../../../renderer/src/lib/sync/sync-hub';
import { connectNodeSocket, nodeRandom, removeDataDir, startRelayProcess, type RelayProcess } from './harness';

/** The hub's ports in Node: `ws` sockets, WebCrypto signatures, node:crypto randomness, fast retries. */
export const nodeSyncPorts = {
  connect: connectNodeSocket,
  verify: createWebCryptoVerifier(),
  random: nodeRandom,
  clock: systemClock,
  retry: { initialMs: 50, maxMs: 500, timeoutMs: 10_000 },
} satisfies SyncPorts;

/** Starts a relay before the suite; after it, runs `cleanup` tasks (last first) and stops the relay. */
export function relayForSuite(): { relay: () => RelayProcess; cleanup: (() => Promise<void>)[] } {
  let relay: RelayProcess | undefined;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    relay = await startRelayProcess();
  });
  afterAll(async () => {
    for (const task of cleanup.splice(0).reverse()) await task();
    if (!relay) return;
    await relay.kill();
    removeDataDir(relay);
  });
  return {
    relay: () => {
      if (!relay) throw new Error('the relay starts in beforeAll');
      return relay;
    },
    cleanup,
  };
}
