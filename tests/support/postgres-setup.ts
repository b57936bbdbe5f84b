// Vitest global setup of the `relay-postgres` project: one PostgreSQL cluster for the run; every
// relay a test starts gets a fresh database in it (tests/integration/sync/harness.ts).
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL cluster; unset in projects that run the relay over SQLite. */
    relayPostgresAdminUrl: string | undefined;
  }
}

/** Starts the cluster; the returned function stops it after the run. */
export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgres();
  project.provide('relayPostgresAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}
