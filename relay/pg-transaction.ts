// One transaction on a pooled PostgreSQL client, shared by the PostgreSQL store's modules.
import type pg from 'pg';

/** Runs `work` in one transaction on a pooled client (`begin` may set the isolation level). */
export async function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
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
