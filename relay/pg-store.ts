// The relay's PostgreSQL store: several relay processes ("nodes") share one database. PostgreSQL
// orders the commits — every write of a vault locks its `vaults` row, so sequence numbers stay
// contiguous and unique whichever node commits — and carries the fan-out between nodes: each commit
// sends a NOTIFY (delivered when it commits), and relay/pg-listener.ts turns them into RemoteChanges.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';
import { listenForChanges, notifyChannel, type ChangeNotice } from './pg-listener';
import { migrate } from './pg-schema';
import type { AppendResult, NewEnvelope, RelayStore, StoredEnvelope, StoredSnapshot } from './store';

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

/** Runs `work` in one transaction on a pooled client. */
async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
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
    // One snapshot of the database: a snapshot stored meanwhile cannot prune envelopes out from under the read.
    catchUp: (vault: string, from: number, upTo: number) =>
      transaction(
        pool,
        async (client) => {
          const stored = (
            await client.query<StoredSnapshot>(`SELECT ${snapshotColumns} FROM snapshots WHERE vault = $1`, [vault])
          ).rows[0];
          const snap = stored && stored.seq > from && from < upTo ? stored : null;
          const envelopes = await client.query<StoredEnvelope>(
            `SELECT ${envelopeColumns} FROM envelopes WHERE vault = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`,
            [vault, snap ? snap.seq : from, upTo],
          );
          return { snap, envelopes: envelopes.rows };
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

const notify = (client: pg.PoolClient, notices: readonly ChangeNotice[]) =>
  client.query('SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice', [
    notifyChannel,
    notices.map((notice) => JSON.stringify(notice)),
  ]);

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
    appendEnvelopes: (envelopes: readonly NewEnvelope[], members: ReadonlyMap<string, number>) =>
      transaction(pool, (client) => appendGroup(client, node, envelopes, members)),
    storeSnapshot: (snap: StoredSnapshot) =>
      transaction(pool, async (client) => {
        const locked = await client.query<{ snapshot_seq: number }>(
          'SELECT snapshot_seq FROM vaults WHERE vault = $1 FOR UPDATE',
          [snap.vault],
        );
        if ((locked.rows[0]?.snapshot_seq ?? Infinity) > snap.seq) return false;
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
        await notify(client, [{ n: node, k: 'snap', v: snap.vault, s: snap.seq }]);
        return true;
      }),
  };
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

/**
 * The indexes of envelopes whose counter is not above the highest their author has stored in the vault
 * (pruned ones included) or an earlier one of the group. Read under the vaults' row locks: a node's
 * cached counters may lag what other nodes stored, the database does not.
 */
async function replayedCounters(client: pg.PoolClient, envelopes: readonly NewEnvelope[]): Promise<number[]> {
  const { rows } = await client.query<{ vault: string; author: Buffer; counter: number | null }>(
    `SELECT v.vault, v.author, GREATEST(
       (SELECT MAX(counter) FROM envelopes e WHERE e.vault = v.vault AND e.author = v.author),
       (SELECT counter FROM authors a WHERE a.vault = v.vault AND a.author = v.author)) AS counter
     FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::bytea[]) AS pair (vault, author)) AS v`,
    [envelopes.map((e) => e.vault), envelopes.map((e) => e.author)],
  );
  const key = (vault: string, author: Uint8Array) => `${vault} ${Buffer.from(author).toString('base64')}`;
  const highest = new Map(rows.map((row) => [key(row.vault, row.author), row.counter ?? 0]));
  const replayed: number[] = [];
  envelopes.forEach((e, i) => {
    const k = key(e.vault, e.author);
    if (e.counter <= (highest.get(k) ?? 0)) replayed.push(i);
    else highest.set(k, e.counter);
  });
  return replayed;
}

/** One group commit: locks the vaults' rows (in id order: no deadlock between nodes), numbers, inserts, notifies. */
async function appendGroup(
  client: pg.PoolClient,
  node: string,
  envelopes: readonly NewEnvelope[],
  members: ReadonlyMap<string, number>,
): Promise<AppendResult> {
  const ids = [...new Set(envelopes.map((e) => e.vault))].sort();
  const locked = await client.query<{ vault: string; head: number; members: number }>(
    'SELECT vault, head, members FROM vaults WHERE vault = ANY($1) ORDER BY vault FOR UPDATE',
    [ids],
  );
  const heads = new Map(locked.rows.map((row) => [row.vault, row.head]));
  const stale = locked.rows.filter((row) => members.get(row.vault) !== row.members).map((row) => row.vault);
  if (stale.length > 0) return { ok: false, stale, replayed: [] };
  const replayed = await replayedCounters(client, envelopes);
  if (replayed.length > 0) return { ok: false, stale: [], replayed };
  const seqs = envelopes.map((e) => {
    const seq = (heads.get(e.vault) ?? 0) + 1;
    heads.set(e.vault, seq);
    return seq;
  });
  const column = <K extends keyof NewEnvelope>(key: K) => envelopes.map((e) => e[key]);
  await client.query(
    `INSERT INTO envelopes (${envelopeColumns})
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::bytea[], $5::bigint[], $6::integer[], $7::bytea[], $8::bytea[], $9::bytea[])`,
    [
      column('vault'),
      seqs,
      column('epoch'),
      column('author'),
      column('counter'),
      column('members'),
      column('nonce'),
      column('ciphertext'),
      column('sig'),
    ],
  );
  await client.query(
    'UPDATE vaults SET head = moved.head FROM unnest($1::text[], $2::bigint[]) AS moved (vault, head) WHERE vaults.vault = moved.vault',
    [ids, ids.map((id) => heads.get(id))],
  );
  await notify(
    client,
    ids.map((id) => ({ n: node, k: 'env', v: id, h: heads.get(id) ?? 0 })),
  );
  return { ok: true, seqs };
}
