// The relay's PostgreSQL schema, versioned: each migration runs once, in order, in one transaction
// under an advisory lock, so several relay nodes starting at once migrate the database exactly once.
import type { ClientBase } from 'pg';

/** Migrations by version (index + 1). Never edit a released one: append a new one. */
const migrations: readonly string[] = [
  `CREATE TABLE vaults (
     vault text PRIMARY KEY,
     created_at bigint NOT NULL,
     genesis_signer text NOT NULL,
     -- Committed head, member-log length and snapshot position: the row every write of the vault locks.
     head bigint NOT NULL DEFAULT 0,
     members integer NOT NULL DEFAULT 0,
     snapshot_seq bigint NOT NULL DEFAULT 0);
   CREATE INDEX vaults_by_genesis_signer ON vaults (genesis_signer);
   CREATE TABLE members (vault text NOT NULL REFERENCES vaults, idx integer NOT NULL, record text NOT NULL,
     PRIMARY KEY (vault, idx));
   CREATE TABLE authors (vault text NOT NULL REFERENCES vaults, author bytea NOT NULL, counter bigint NOT NULL,
     PRIMARY KEY (vault, author));
   CREATE TABLE envelopes (vault text NOT NULL REFERENCES vaults, seq bigint NOT NULL, epoch integer NOT NULL,
     author bytea NOT NULL, counter bigint NOT NULL, nonce bytea NOT NULL, ciphertext bytea NOT NULL,
     sig bytea NOT NULL,
     -- The member-log position the author wrote under (made NOT NULL by migration 3).
     members integer, PRIMARY KEY (vault, seq));
   CREATE UNIQUE INDEX envelopes_by_author ON envelopes (vault, author, counter);
   CREATE INDEX envelopes_of_author ON envelopes (author);
   CREATE TABLE snapshots (vault text PRIMARY KEY REFERENCES vaults, seq bigint NOT NULL, epoch integer NOT NULL,
     author bytea NOT NULL, nonce bytea NOT NULL, ciphertext bytea NOT NULL, sig bytea NOT NULL);
   CREATE INDEX snapshots_of_author ON snapshots (author);
   CREATE TABLE grants (vault text NOT NULL REFERENCES vaults, recipient bytea NOT NULL, epoch integer NOT NULL,
     body text NOT NULL, PRIMARY KEY (vault, recipient, epoch));
   CREATE INDEX grants_by_recipient ON grants (recipient);`,
  // 2: the invitation mailboxes (kept in each relay's memory before).
  `CREATE TABLE invitations (invitation text PRIMARY KEY, vault text NOT NULL REFERENCES vaults,
     expires_at bigint NOT NULL, state text NOT NULL, request text);
   CREATE INDEX invitations_by_vault ON invitations (vault, expires_at);
   CREATE INDEX invitations_by_expiry ON invitations (expires_at);`,
  // 3 (protocol v5): every envelope names its member-log position. A database holding vaults from before
  // v5 is refused: no current client verifies what it stores (start on a new database).
  `DO $$ BEGIN
     IF EXISTS (SELECT 1 FROM vaults) THEN
       RAISE EXCEPTION 'the relay database holds vaults from before protocol v5, whose envelopes no current client accepts: start the relay on a new database';
     END IF;
   END $$;
   ALTER TABLE envelopes ALTER COLUMN members SET NOT NULL;`,
  // 4: who opened each mailbox (limits per inviting device), its sealed copy, and second uses of its code.
  `ALTER TABLE invitations ADD COLUMN inviter text NOT NULL DEFAULT '',
     ADD COLUMN keep text NOT NULL DEFAULT '', ADD COLUMN contested integer NOT NULL DEFAULT 0;
   CREATE INDEX invitations_by_inviter ON invitations (inviter, expires_at);`,
];

/** The schema version this relay writes. */
export const schemaVersion = migrations.length;

// Any constant: the key of the advisory lock that serializes migrations between relay nodes.
const migrationLock = 0x52564c59;

/** Creates or migrates the schema; refuses a database migrated by a newer relay. */
export async function migrate(client: ClientBase): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await client.query('CREATE TABLE IF NOT EXISTS regvault_schema (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM regvault_schema');
    const current = rows[0]?.version ?? 0;
    if (current > schemaVersion) {
      throw new Error(`the database has schema version ${current}; this relay knows up to ${schemaVersion}: update it`);
    }
    for (const sql of migrations.slice(current)) await client.query(sql);
    if (rows.length === 0) await client.query('INSERT INTO regvault_schema (version) VALUES ($1)', [schemaVersion]);
    else await client.query('UPDATE regvault_schema SET version = $1', [schemaVersion]);
    await client.query('COMMIT');
    return current;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
