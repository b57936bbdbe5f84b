// A group commit in the PostgreSQL store: the vaults' rows are locked (in id order: no deadlock between
// nodes), the member-log lengths and the authors' counters checked against what is stored, sequence
// numbers assigned after the stored heads, rows inserted and the other nodes notified (on commit).
import type pg from 'pg';
import { notifyChannel, type ChangeNotice } from './pg-listener';
import type { AppendResult, NewEnvelope } from './store';

const envelopeColumns = 'vault, seq, epoch, author, counter, members, nonce, ciphertext, sig';

/** Sends the notices to the other relay nodes when the transaction commits. */
export const notify = (client: pg.PoolClient, notices: readonly ChangeNotice[]) =>
  client.query('SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice', [
    notifyChannel,
    notices.map((notice) => JSON.stringify(notice)),
  ]);

/**
 * The indexes of envelopes whose counter is not above the highest their author has stored in the vault
 * (pruned ones included) or an earlier one of the group. Read under the vaults' row locks: a node's
 * cached counters may lag what other nodes stored, the database does not.
 */
async function replayedCounters(client: pg.PoolClient, envelopes: readonly NewEnvelope[]): Promise<number[]> {
  // Prepared once per connection (named): it runs with every group commit.
  const { rows } = await client.query<{ vault: string; author: Buffer; counter: number | null }>({
    name: 'regvault-replayed-counters',
    text: `SELECT v.vault, v.author, GREATEST(
       (SELECT MAX(counter) FROM envelopes e WHERE e.vault = v.vault AND e.author = v.author),
       (SELECT counter FROM authors a WHERE a.vault = v.vault AND a.author = v.author)) AS counter
     FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::bytea[]) AS pair (vault, author)) AS v`,
    values: [envelopes.map((e) => e.vault), envelopes.map((e) => e.author)],
  });
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
export async function appendGroup(
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
