// Setup file of the `relay-postgres` test project: relays the sync suites start store in PostgreSQL.
import { inject } from 'vitest';
import { storeRelaysInPostgres } from '../integration/sync/harness';

const adminUrl = inject('relayPostgresAdminUrl');
if (!adminUrl) throw new Error('the relay-postgres project needs its global setup (tests/support/postgres-setup.ts)');
storeRelaysInPostgres(adminUrl);
