// Several relay processes ("nodes") over one PostgreSQL database, for the multi-node tests.
import { afterAll, beforeAll } from 'vitest';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../sync/harness';

/** Starts `count` nodes on one fresh database before the file's tests and stops them after. */
export function useRelayNodes(count: number): () => RelayProcess[] {
  const nodes: RelayProcess[] = [];
  beforeAll(async () => {
    const first = await startRelayProcess();
    nodes.push(first);
    for (let i = 1; i < count; i++) nodes.push(await startRelayProcess({ database: first.database ?? '' }));
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.kill();
      removeDataDir(node);
    }
  });
  return () => nodes;
}

/** The node URLs in failover order starting at node `first`. */
export function urlsFrom(nodes: readonly RelayProcess[], first: number): string[] {
  return nodes.map((_, i) => nodes[(first + i) % nodes.length]?.url ?? '');
}
