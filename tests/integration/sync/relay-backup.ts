// Backups of a stopped test relay, whichever store it uses: its data dir copied (SQLite) or its
// database copied with CREATE DATABASE … TEMPLATE (PostgreSQL). Restoring one rolls the relay back.
import { cpSync, rmSync } from 'node:fs';
import pg from 'pg';
import type { RelayProcess } from './harness';

const backupDir = (relay: RelayProcess) => `${relay.dataDir}-backup`;

function databaseParts(url: string): { admin: string; name: string } {
  const parsed = new URL(url);
  const name = parsed.pathname.slice(1);
  parsed.pathname = '/postgres';
  return { admin: parsed.toString(), name };
}

async function asAdmin(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseParts(url).admin });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Copies the stopped relay's data aside. */
export async function backUpRelay(relay: RelayProcess): Promise<void> {
  if (relay.database === null) return cpSync(relay.dataDir, backupDir(relay), { recursive: true });
  const { name } = databaseParts(relay.database);
  await asAdmin(relay.database, [
    `DROP DATABASE IF EXISTS ${name}_backup`,
    `CREATE DATABASE ${name}_backup TEMPLATE ${name}`,
  ]);
}

/** Replaces the stopped relay's data with the backup taken earlier. */
export async function restoreRelay(relay: RelayProcess): Promise<void> {
  if (relay.database === null) {
    rmSync(relay.dataDir, { recursive: true, force: true });
    return cpSync(backupDir(relay), relay.dataDir, { recursive: true });
  }
  const { name } = databaseParts(relay.database);
  await asAdmin(relay.database, [`DROP DATABASE ${name}`, `CREATE DATABASE ${name} TEMPLATE ${name}_backup`]);
}

/** Removes the backup (files; a backup database goes with the test cluster). */
export function removeBackup(relay: RelayProcess): void {
  rmSync(backupDir(relay), { recursive: true, force: true });
}
