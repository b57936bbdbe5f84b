// A real pipeline, no desktop app on the job side (see journey.ts): once on a SQLite relay, once on
// two relay nodes over one PostgreSQL database (the admin on one node, the agent on the other).
import { afterAll, beforeAll, test } from 'vitest';
import { startPostgres, type PgCluster } from '../../support/postgres';
import { removeDataDir, startRelayProcess, type RelayProcess } from '../sync/harness';
import { playPipelineJourney } from './journey';

let cluster: PgCluster | undefined;
const started: RelayProcess[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});

afterAll(async () => {
  for (const relay of started) {
    await relay.kill();
    removeDataDir(relay);
  }
  cluster?.stop();
});

test(
  'a pipeline gets, rotates, survives a relay outage with and loses its credentials (SQLite relay)',
  { timeout: 300_000 },
  async () => {
    const relay = await startRelayProcess({ database: null });
    started.push(relay);
    await playPipelineJourney([relay]);
  },
);

test('the same pipeline on two relay nodes over PostgreSQL', { timeout: 300_000 }, async () => {
  if (!cluster) throw new Error('PostgreSQL did not start');
  const database = await cluster.createDatabase();
  const first = await startRelayProcess({ database });
  const second = await startRelayProcess({ database });
  started.push(first, second);
  await playPipelineJourney([first, second]);
});
