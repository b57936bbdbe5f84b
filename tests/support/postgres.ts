// A throw-away PostgreSQL cluster for tests: initdb in a temporary directory, pg_ctl on a free port,
// trust authentication on 127.0.0.1 only. PostgreSQL refuses to run as root, so as root the commands
// run as the `postgres` user (Debian's package creates it). Used by the relay's PostgreSQL tests.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running cluster: its admin URL, a fresh database per call, and stop. */
export type PgCluster = Readonly<{
  /** URL of the `postgres` database as the superuser `regvault`. */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase: () => Promise<string>;
  /** Stops the cluster (fast shutdown) and removes its directory. */
  stop: () => void;
}>;

/** The directory of Debian's PostgreSQL binaries (the newest installed major). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  let majors: string[];
  try {
    majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    throw new Error('PostgreSQL is not installed: apt-get install -y --no-install-recommends postgresql');
  }
  if (!majors[0]) throw new Error(`no PostgreSQL version under ${root}`);
  return join(root, majors[0], 'bin');
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function run(program: string, args: readonly string[]): void {
  const path = join(binDir(), program);
  const asRoot = process.getuid?.() === 0;
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, [...args]];
  execFileSync(command, argv, { stdio: 'pipe', cwd: tmpdir() });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts a cluster; resolves once it accepts connections (about 2 s). */
export async function startPostgres(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'regvault-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'regvault', '--no-sync']);
  const port = await freePort();
  // Enough connections for many relay processes (each: a pool and a LISTEN connection).
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const adminUrl = `postgres://regvault@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    createDatabase: () => createDatabaseAt(adminUrl),
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates a fresh database in the cluster at `adminUrl` (tests in workers reach the cluster by URL). */
export async function createDatabaseAt(adminUrl: string): Promise<string> {
  const name = `relay_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e9)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return adminUrl.replace(/\/postgres$/, `/${name}`);
}
