// Picks the store a relay's configuration names: PostgreSQL for `--database postgres://…`, else SQLite.
import type { RelayConfig } from './config';
import { openPgStore } from './pg-store';
import { openRelayStore } from './sqlite-store';
import type { RelayStore } from './store';

/** Opens (and creates or migrates) the configured store. */
export function openConfiguredStore(config: RelayConfig): Promise<RelayStore> {
  if (config.database !== null) return openPgStore({ url: config.database, poolSize: config.databasePoolSize });
  return Promise.resolve(openRelayStore(config.dataDir, config.durability));
}
