// `relay migrate-from-sqlite <file> --database <url>`: copies a stopped SQLite relay's data into an
// empty PostgreSQL database, in one transaction, with the same sequence numbers, counters, member
// logs, snapshots, grants and open invitations — clients connected to the old relay continue without noticing.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { WireMemberRecord } from '../shared/sync/wire-records';
import { migrate } from './pg-schema';

/** What was copied. */
export type MigrationReport = Readonly<{
  vaults: number;
  members: number;
  envelopes: number;
  snapshots: number;
  grants: number;
  invitations: number;
}>;

type Row = Record<string, unknown>;

/** Copies `file` into the (empty) database at `url`. */
export async function migrateFromSqlite(file: string, url: string): Promise<MigrationReport> {
  const db = new Database(file, { fileMustExist: true });
  // Exclusive, as the relay holds it: a relay still running on the file makes this fail instead of copying a moving target.
  db.pragma('locking_mode = EXCLUSIVE');
  db.prepare('BEGIN IMMEDIATE').run();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
    await client.query('BEGIN');
    const existing = await client.query<{ count: string }>('SELECT COUNT(*) AS count FROM vaults');
    if (existing.rows[0]?.count !== '0')
      throw new Error('the PostgreSQL database already holds vaults; migrate into an empty one');
    const report = await copyAll(db, client);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
    db.close();
  }
}

async function copyAll(db: Database.Database, client: pg.Client): Promise<MigrationReport> {
  const all = (sql: string) => db.prepare<[], Row>(sql).all();
  const members = all('SELECT vault, idx, record FROM members ORDER BY vault, idx');
  const genesisSigner = new Map<string, string>();
  const memberCount = new Map<string, number>();
  for (const row of members) {
    const vault = String(row.vault);
    memberCount.set(vault, (memberCount.get(vault) ?? 0) + 1);
    if (row.idx === 0) genesisSigner.set(vault, (JSON.parse(String(row.record)) as WireMemberRecord).signer);
  }
  const vaults = all(
    `SELECT v.vault, v.created_at, MAX(COALESCE((SELECT MAX(seq) FROM envelopes e WHERE e.vault = v.vault), 0),
            COALESCE((SELECT seq FROM snapshots s WHERE s.vault = v.vault), 0)) AS head,
            COALESCE((SELECT seq FROM snapshots s WHERE s.vault = v.vault), 0) AS snapshot_seq FROM vaults v`,
  );
  for (const v of vaults) {
    const vault = String(v.vault);
    await client.query(
      'INSERT INTO vaults (vault, created_at, genesis_signer, head, members, snapshot_seq) VALUES ($1, $2, $3, $4, $5, $6)',
      [vault, v.created_at, genesisSigner.get(vault) ?? '', v.head, memberCount.get(vault) ?? 0, v.snapshot_seq],
    );
  }
  await copyRows(client, 'members', ['vault', 'idx', 'record'], members);
  await copyRows(client, 'authors', ['vault', 'author', 'counter'], all('SELECT vault, author, counter FROM authors'));
  const envelopeColumns = ['vault', 'seq', 'epoch', 'author', 'counter', 'members', 'nonce', 'ciphertext', 'sig'];
  let envelopes = 0;
  for (const batch of batches(
    db.prepare<[], Row>(`SELECT ${envelopeColumns.join(', ')} FROM envelopes`).iterate(),
    500,
  )) {
    await copyRows(client, 'envelopes', envelopeColumns, batch);
    envelopes += batch.length;
  }
  const snapshots = all('SELECT vault, seq, epoch, author, nonce, ciphertext, sig FROM snapshots');
  await copyRows(client, 'snapshots', ['vault', 'seq', 'epoch', 'author', 'nonce', 'ciphertext', 'sig'], snapshots);
  const grants = all('SELECT vault, recipient, epoch, body FROM grants');
  await copyRows(client, 'grants', ['vault', 'recipient', 'epoch', 'body'], grants);
  // A file a relay before schema 3 wrote has no invitations (they were kept in memory).
  const hasInvitations = all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'invitations'").length > 0;
  const invitationColumns = ['invitation', 'vault', 'expires_at', 'state', 'request', 'inviter', 'keep', 'contested'];
  // Before schema 5 a mailbox had no inviter, sealed copy or count of second uses: their defaults.
  const present = new Set(hasInvitations ? all('PRAGMA table_info(invitations)').map((c) => String(c.name)) : []);
  const defaults: Readonly<Record<string, string>> = { inviter: "''", keep: "''", contested: '0' };
  const selected = invitationColumns.map((c) => (present.has(c) ? c : `${defaults[c] ?? 'NULL'} AS ${c}`));
  const invitations = hasInvitations ? all(`SELECT ${selected.join(', ')} FROM invitations`) : [];
  await copyRows(client, 'invitations', invitationColumns, invitations);
  return {
    vaults: vaults.length,
    members: members.length,
    envelopes,
    snapshots: snapshots.length,
    grants: grants.length,
    invitations: invitations.length,
  };
}

async function copyRows(
  client: pg.Client,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  for (const row of rows) {
    const placeholders = columns.map((_, i) => `$${i + 1}`).join(', ');
    await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})`,
      columns.map((c) => row[c]),
    );
  }
}

function* batches<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
