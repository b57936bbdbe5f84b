/** A running cluster: its admin URL, a fresh database per call, and stop. */
export type PgCluster = Readonly<{
  /** URL of the `postgres` database as the superuser `regvault`. */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase: () => Promise<string>;
  /** Stops the cluster (fast shutdown) and removes its directory. */
  stop: () => void;
}>;
/** Starts a cluster; resolves once it accepts connections (about 2 s). */
export declare function startPostgres(): Promise<PgCluster>;
/** Creates a fresh database in the cluster at `adminUrl` (tests in workers reach the cluster by URL). */
export declare function createDatabaseAt(adminUrl: string): Promise<string>;
