// The relay's PostgreSQL store: several relay processes ("nodes") share one database. PostgreSQL
// orders the commits — every write of a vault locks its `vaults` row, so sequence numbers stay
// contiguous and unique whichever node commits — and carries the fan-out between nodes: each commit
// sends a NOTIFY (delivered when it commits), and relay/pg-listener.ts turns them into RemoteChanges.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';
import { listenForChanges, type ChangeNotice } from './pg-listener';
import { notify } from './pg-append';
import { appendGroup } from './pg-append';
import { invitationsOver } from './pg-invitations';
import { migrate } from './pg-schema';
import { transaction } from './pg-transaction';
import type { NewEnvelope, RelayStore, StoredEnvelope, StoredSnapshot } from './store';

/** PostgreSQL settings of a relay node. */
export type PgOptions = Readonly<{ url: string; poolSize: number }>;

// int8 columns (sequence numbers, counters) as numbers: the protocol keeps them within safe integers.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const envelopeColumns = 'vault, seq, epoch, author, counter, members, nonce, ciphertext, sig';
const snapshotColumns = 'vault, seq, epoch, author, nonce, ciphertext, sig';

/** Connects, creates or migrates the schema, and starts listening for other nodes' changes. */
export async function openPgStore(options: PgOptions): Promise<RelayStore> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, types });
  // An idle client that loses its server is dropped by the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  const node = randomBytes(8).toString('hex');
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  const listener = listenForChanges(options.url, node);
  await listener.ready;
  return {
    ...readsOver(pool),
    ...writesOver(pool, node),
    ...invitationsOver(pool),
    watch: listener.watch,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: closeAll(pool, listener),
  };
}

function closeAll(pool: pg.Pool, listener: { close: () => Promise<void> }) {
  return async () => {
    await listener.close();
    await pool.end();
  };
}

function readsOver(pool: pg.Pool) {
  const rows = async <R extends pg.QueryResultRow>(sql: string, values: unknown[]) =>
    (await pool.query<R>(sql, values)).rows;
  const memberRecords = async (vault: string, from: number) =>
    (
      await rows<{ record: string }>('SELECT record FROM members WHERE vault = $1 AND idx >= $2 ORDER BY idx', [
        vault,
        from,
      ])
    ).map((row) => JSON.parse(row.record) as WireMemberRecord);
  const authorCounters = (vault: string) =>
    rows<{ author: Buffer; counter: number }>(
      `SELECT author, MAX(counter) AS counter FROM (
         SELECT author, counter FROM authors WHERE vault = $1
         UNION ALL SELECT author, MAX(counter) FROM envelopes WHERE vault = $1 GROUP BY author) AS known
       GROUP BY author`,
      [vault],
    );
  const snapshotOf = async (vault: string) =>
    (await rows<StoredSnapshot>(`SELECT ${snapshotColumns} FROM snapshots WHERE vault = $1`, [vault]))[0];
  return {
    kind: 'postgres' as const,
    memberRecords,
    authorCounters,
    snapshotOf,
    loadVault: async (vault: string) => {
      const [row] = await rows<{ head: number; snapshot_seq: number }>(
        'SELECT head, snapshot_seq FROM vaults WHERE vault = $1',
        [vault],
      );
      if (!row) return undefined;
      const [records, counters] = await Promise.all([memberRecords(vault, 0), authorCounters(vault)]);
      return { head: row.head, records, counters, snapshotSeq: row.snapshot_seq };
    },
    envelopesAfter: (vault: string, after: number, upTo: number) =>
      rows<StoredEnvelope>(
        `SELECT ${envelopeColumns} FROM envelopes WHERE vault = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
        [vault, after, upTo],
      ),
    // One snapshot of the database: a snapshot stored meanwhile cannot prune envelopes out from under the
    // read, and the head is the committed one (this node's fan-out may not have reached it yet).
    catchUp: (vault: string, from: number) =>
      transaction(
        pool,
        async (client) => {
          const position = (
            await client.query<{ head: number; members: number }>('SELECT head, members FROM vaults WHERE vault = $1', [
              vault,
            ])
          ).rows[0] ?? { head: 0, members: 0 };
          const { head, members } = position;
          const stored = (
            await client.query<StoredSnapshot>(`SELECT ${snapshotColumns} FROM snapshots WHERE vault = $1`, [vault])
          ).rows[0];
          const snap = stored && stored.seq > from && from < head ? stored : null;
          const envelopes = await client.query<StoredEnvelope>(
            `SELECT ${envelopeColumns} FROM envelopes WHERE vault = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
            [vault, snap ? snap.seq : from, head],
          );
          return { head, members, snap, envelopes: envelopes.rows };
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      ),
    envelopeByCounter: async (vault: string, author: Uint8Array, counter: number) =>
      (
        await rows<{ seq: number; sig: Buffer }>(
          'SELECT seq, sig FROM envelopes WHERE vault = $1 AND author = $2 AND counter = $3',
          [vault, author, counter],
        )
      )[0],
    grantsFor: async (recipient: Uint8Array) =>
      (
        await rows<{ body: string }>('SELECT body FROM grants WHERE recipient = $1 ORDER BY vault, epoch', [recipient])
      ).map((row) => JSON.parse(row.body) as WireGrant),
    vaultsCreatedBy: async (deviceKey: string) =>
      (await rows<{ count: number }>('SELECT COUNT(*) AS count FROM vaults WHERE genesis_signer = $1', [deviceKey]))[0]
        ?.count ?? 0,
    bytesStoredBy: async (author: Uint8Array) =>
      (
        await rows<{ bytes: number }>(
          `SELECT COALESCE((SELECT SUM(octet_length(ciphertext)) FROM envelopes WHERE author = $1), 0)
                + COALESCE((SELECT SUM(octet_length(ciphertext)) FROM snapshots WHERE author = $1), 0) AS bytes`,
          [author],
        )
      )[0]?.bytes ?? 0,
    positions: async (vaults: readonly string[]) =>
      (
        await rows<{ vault: string; head: number; members: number; snapshot_seq: number }>(
          'SELECT vault, head, members, snapshot_seq FROM vaults WHERE vault = ANY($1)',
          [vaults],
        )
      ).map((row) => ({ vault: row.vault, head: row.head, members: row.members, snapshotSeq: row.snapshot_seq })),
    ping: async () => void (await pool.query('SELECT 1')),
  };
}

function writesOver(pool: pg.Pool, node: string) {
  return {
    registerVault: (vault: string, genesis: WireMemberRecord, now: number) =>
      transaction(pool, async (client) => {
        const inserted = await client.query(
          'INSERT INTO vaults (vault, created_at, genesis_signer, members) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING',
          [vault, now, genesis.signer],
        );
        if (inserted.rowCount === 0) return false;
        await client.query('INSERT INTO members (vault, idx, record) VALUES ($1, $2, $3)', [
          vault,
          genesis.index,
          JSON.stringify(genesis),
        ]);
        return true;
      }),
    appendMember: (record: WireMemberRecord, grant: { recipient: Uint8Array; body: WireGrant } | null) =>
      orRefused(
        transaction(pool, async (client) => {
          // Locks the vault row: the member log grows by one, at exactly this index, or not at all.
          const grown = await client.query(
            'UPDATE vaults SET members = members + 1 WHERE vault = $1 AND members = $2',
            [record.vault, record.index],
          );
          if (grown.rowCount === 0) return false;
          // After the lock: no envelope of the subject can commit between this check and the commit.
          if (record.last !== undefined && (await highestCounter(client, record.vault, record.subject)) > record.last)
            throw refused;
          await client.query('INSERT INTO members (vault, idx, record) VALUES ($1, $2, $3)', [
            record.vault,
            record.index,
            JSON.stringify(record),
          ]);
          if (grant) {
            await client.query(
              `INSERT INTO grants (vault, recipient, epoch, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (vault, recipient, epoch) DO UPDATE SET body = excluded.body`,
              [grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body)],
            );
          }
          await notify(client, [{ n: node, k: 'member', v: record.vault }]);
          return true;
        }),
      ),
    appendRotation: (
      records: readonly WireMemberRecord[],
      grants: readonly { recipient: Uint8Array; body: WireGrant }[],
      snap: StoredSnapshot | null,
    ) =>
      orRefused(
        transaction(pool, async (client) => {
          const [first] = records;
          if (!first) return false;
          // Locks the vault row: the log grows at exactly this index, the snapshot covers exactly the head.
          const locked = await client.query<{ head: number }>(
            'UPDATE vaults SET members = members + $3 WHERE vault = $1 AND members = $2 RETURNING head',
            [first.vault, first.index, records.length],
          );
          const head = locked.rows[0]?.head;
          if (head === undefined) return false;
          if (snap && snap.seq !== head) throw refused;
          for (const record of records)
            await client.query('INSERT INTO members (vault, idx, record) VALUES ($1, $2, $3)', [
              record.vault,
              record.index,
              JSON.stringify(record),
            ]);
          for (const grant of grants)
            await client.query(
              `INSERT INTO grants (vault, recipient, epoch, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (vault, recipient, epoch) DO UPDATE SET body = excluded.body`,
              [grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body)],
            );
          const notices: ChangeNotice[] = [{ n: node, k: 'member', v: first.vault }];
          if (snap) {
            await replaceSnapshot(client, snap);
            notices.push({ n: node, k: 'snap', v: snap.vault, s: snap.seq });
          }
          await notify(client, notices);
          return true;
        }),
      ),
    appendEnvelopes: (envelopes: readonly NewEnvelope[], members: ReadonlyMap<string, number>) =>
      transaction(pool, (client) => appendGroup(client, node, envelopes, members)),
    storeSnapshot: (snap: StoredSnapshot) =>
      transaction(pool, async (client) => {
        const locked = await client.query<{ snapshot_seq: number }>(
          'SELECT snapshot_seq FROM vaults WHERE vault = $1 FOR UPDATE',
          [snap.vault],
        );
        if ((locked.rows[0]?.snapshot_seq ?? Infinity) > snap.seq) return false;
        await replaceSnapshot(client, snap);
        await notify(client, [{ n: node, k: 'snap', v: snap.vault, s: snap.seq }]);
        return true;
      }),
  };
}

/** Stores `snap` in place of the vault's snapshot and prunes the envelopes it covers (keeping their counters). */
async function replaceSnapshot(client: pg.PoolClient, snap: StoredSnapshot): Promise<void> {
  await client.query(
    `INSERT INTO snapshots (${snapshotColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (vault) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, author = excluded.author,
     nonce = excluded.nonce, ciphertext = excluded.ciphertext, sig = excluded.sig`,
    [snap.vault, snap.seq, snap.epoch, snap.author, snap.nonce, snap.ciphertext, snap.sig],
  );
  await client.query(
    `INSERT INTO authors (vault, author, counter)
     SELECT vault, author, MAX(counter) FROM envelopes WHERE vault = $1 AND seq <= $2 GROUP BY vault, author
     ON CONFLICT (vault, author) DO UPDATE SET counter = GREATEST(authors.counter, excluded.counter)`,
    [snap.vault, snap.seq],
  );
  await client.query('DELETE FROM envelopes WHERE vault = $1 AND seq <= $2', [snap.vault, snap.seq]);
  await client.query('UPDATE vaults SET snapshot_seq = $2 WHERE vault = $1', [snap.vault, snap.seq]);
}

/** Thrown inside a transaction to roll it back and answer false. */
const refused = new Error('refused');

const orRefused = (work: Promise<boolean>) =>
  work.catch((error: unknown) => {
    if (error === refused) return false;
    throw error;
  });

async function highestCounter(client: pg.PoolClient, vault: string, subject: string): Promise<number> {
  const author = Buffer.from(subject, 'base64');
  const { rows } = await client.query<{ counter: number | null }>(
    `SELECT GREATEST((SELECT MAX(counter) FROM envelopes WHERE vault = $1 AND author = $2),
                     (SELECT counter FROM authors WHERE vault = $1 AND author = $2)) AS counter`,
    [vault, author],
  );
  return rows[0]?.counter ?? 0;
}
