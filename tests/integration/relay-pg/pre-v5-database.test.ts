// A PostgreSQL relay database from before protocol v5 (schema 2) that holds a vault is refused by the
// migration — no v5 client verifies what it stores; an empty one is migrated (every envelope then names
// its member-log position: the column is NOT NULL).
import pg from 'pg';
import { expect, inject, test } from 'vitest';
import { migrate, schemaVersion } from '../../../relay/pg-schema';
import { createDatabaseAt } from '../../support/postgres';

async function schemaTwo(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: await createDatabaseAt(inject('relayPostgresAdminUrl') ?? '') });
  await client.connect();
  await migrate(client);
  // As a relay before v5 left it: schema 2, the position column nullable.
  await client.query('UPDATE regvault_schema SET version = 2');
  await client.query('ALTER TABLE envelopes ALTER COLUMN members DROP NOT NULL');
  // … and without what migration 4 added to the invitation mailboxes.
  await client.query('DROP INDEX invitations_by_inviter');
  await client.query('ALTER TABLE invitations DROP COLUMN inviter, DROP COLUMN keep, DROP COLUMN contested');
  return client;
}

test('a pre-v5 database holding a vault is refused; an empty one is migrated with the position required', async () => {
  expect(schemaVersion).toBe(4);
  const holding = await schemaTwo();
  try {
    await holding.query(
      "INSERT INTO vaults (vault, created_at, genesis_signer) VALUES ('vault-before-v5-000', 1, 'x')",
    );
    await expect(migrate(holding)).rejects.toThrow(/before protocol v5.*new database/);
    const { rows } = await holding.query<{ version: number }>('SELECT version FROM regvault_schema');
    expect(rows[0]?.version).toBe(2);
  } finally {
    await holding.end();
  }
  const empty = await schemaTwo();
  try {
    expect(await migrate(empty)).toBe(2);
    const { rows } = await empty.query<{ is_nullable: string }>(
      "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'envelopes' AND column_name = 'members'",
    );
    expect(rows[0]?.is_nullable).toBe('NO');
  } finally {
    await empty.end();
  }
});
