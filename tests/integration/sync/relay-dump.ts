// Reading what a relay stores, as someone holding a dump of its database would (issue #14: a removed
// device given the relay's whole database): its SQLite file, or its PostgreSQL database.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import type { Envelope } from '../../../shared/sync/envelope';
import type { RelayProcess } from './harness';

/** A stored envelope row, as either store returns it. */
export type Row = {
  seq: number;
  epoch: number;
  author: Buffer;
  counter: number;
  members: number;
  nonce: Buffer;
  ciphertext: Buffer;
  sig: Buffer;
};

/** A vault's envelopes and snapshot as the relay stores them. */
export type Dump = { envelopes: Row[]; snapshot: Omit<Row, 'counter' | 'members'> | undefined };

/** Every envelope and the snapshot of `vault` in the relay's database: its SQLite file (relay stopped) or PostgreSQL. */
export async function dumpRelay(relay: RelayProcess, vault: string): Promise<Dump> {
  if (relay.database) return dumpPostgres(relay.database, vault);
  const db = new Database(join(relay.dataDir, 'relay.sqlite3'), { readonly: true });
  try {
    const envelopes = db.prepare('SELECT * FROM envelopes WHERE vault = ? ORDER BY seq').all(vault) as Row[];
    const snapshot = db.prepare('SELECT * FROM snapshots WHERE vault = ?').get(vault) as Row | undefined;
    return { envelopes, snapshot };
  } finally {
    db.close();
  }
}

async function dumpPostgres(url: string, vault: string): Promise<Dump> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // bigint columns come back as text.
    const number = (row: Record<string, unknown>) => ({
      ...row,
      seq: Number(row['seq']),
      counter: Number(row['counter']),
    });
    const envelopes = await client.query('SELECT * FROM envelopes WHERE vault = $1 ORDER BY seq', [vault]);
    const snapshot = await client.query('SELECT * FROM snapshots WHERE vault = $1', [vault]);
    const snap = snapshot.rows[0] as Record<string, unknown> | undefined;
    return {
      envelopes: envelopes.rows.map((row: Record<string, unknown>) => number(row) as Row),
      snapshot: snap ? (number(snap) as Row) : undefined,
    };
  } finally {
    await client.end();
  }
}

/** A stored row as the envelope it holds. */
export function asEnvelope(vault: string, row: Row): Envelope {
  return {
    vault,
    epoch: row.epoch,
    author: row.author,
    counter: row.counter,
    members: row.members,
    nonce: row.nonce,
    ciphertext: row.ciphertext,
    sig: row.sig,
  };
}
