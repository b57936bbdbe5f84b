// One relay process for a test file: started before its tests, stopped (and its data removed) after.
import { afterAll, beforeAll } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from './harness';

/** Registers the file's relay (started with `args`); the returned function gives the running relay inside tests. */
export function useRelay(args: readonly string[] = []): () => RelayProcess {
  let relay: RelayProcess | undefined;
  beforeAll(async () => {
    relay = await startRelayProcess({ args });
  });
  afterAll(async () => {
    if (!relay) return;
    await relay.kill();
    removeDataDir(relay);
  });
  return () => {
    if (!relay) throw new Error('the relay has not started');
    return relay;
  };
}
