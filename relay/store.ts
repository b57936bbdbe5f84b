// The relay's SQLite store. It holds only what the relay may see: vault ids, public keys, counters,
// sequence numbers, signatures, nonces and ciphertext. WAL mode; every acknowledgement follows a
// committed transaction (see RelayConfig.durability for the fsync level).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';

/** An envelope row: binary fields as stored. */
export type StoredEnvelope = Readonly<{
  vault: string;
  seq: number;
  epoch: number;
  author: Uint8Array;
  counter: number;
  /** The member-log position the author wrote under; null for envelopes stored under protocol v2. */
  members: number | null;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}>;

/** A snapshot row. */
export type StoredSnapshot = Omit<StoredEnvelope, 'counter' | 'members'>;

// The hot path (storing an envelope) touches two B-tree pages: the envelope row and its
// (vault, author, counter) index. A vault's head and its authors' last counters are derived from the
// envelopes; `authors` only keeps the counters of envelopes pruned behind a snapshot.
const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vaults (vault TEXT PRIMARY KEY, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (vault TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (vault, idx));
CREATE TABLE IF NOT EXISTS authors (
  vault TEXT NOT NULL, author BLOB NOT NULL, counter INTEGER NOT NULL, PRIMARY KEY (vault, author)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes (
  vault TEXT NOT NULL, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL, counter INTEGER NOT NULL,
  nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL, members INTEGER, PRIMARY KEY (vault, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS envelopes_by_author ON envelopes (vault, author, counter);
-- A device's stored bytes are summed once per process (quotas.ts): by index, not a table scan.
CREATE INDEX IF NOT EXISTS envelopes_of_author ON envelopes (author);
CREATE TABLE IF NOT EXISTS snapshots (
  vault TEXT PRIMARY KEY, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL,
  nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS grants (
  vault TEXT NOT NULL, recipient BLOB NOT NULL, epoch INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (vault, recipient, epoch));
`;

/** The relay's persistent state; every mutating method is one transaction. */
export type RelayStore = Readonly<{
  /** The committed head of a vault, or undefined if it is not registered. */
  headOf: (vault: string) => number | undefined;
  memberRecords: (vault: string) => WireMemberRecord[];
  authorCounters: (vault: string) => { author: Buffer; counter: number }[];
  envelopesAfter: (vault: string, seq: number) => IterableIterator<StoredEnvelope>;
  envelopeByCounter: (vault: string, author: Uint8Array, counter: number) => { seq: number; sig: Buffer } | undefined;
  snapshotOf: (vault: string) => StoredSnapshot | undefined;
  grantsFor: (recipient: Uint8Array) => WireGrant[];
  /** How many vaults a device created (signed the genesis of), for its quota. */
  vaultsCreatedBy: (deviceKey: string) => number;
  /** Ciphertext bytes a device's envelopes and snapshots hold on this relay now, for its quota. */
  bytesStoredBy: (author: Uint8Array) => number;
  /** Registers a vault with its genesis record. */
  registerVault: (vault: string, genesis: WireMemberRecord, now: number) => void;
  /** Appends a member record and, if given, stores a key grant, atomically. */
  appendMember: (record: WireMemberRecord, grant: { recipient: Uint8Array; body: WireGrant } | null) => void;
  /** A key rotation in one transaction: member records, the new epoch's grants and, if given, a snapshot under it. */
  appendRotation: (
    records: readonly WireMemberRecord[],
    grants: readonly { recipient: Uint8Array; body: WireGrant }[],
    snap: StoredSnapshot | null,
  ) => void;
  /** Stores a batch of envelopes (seq already assigned) in one transaction; heads are derived from them, not stored. */
  appendEnvelopes: (envelopes: readonly StoredEnvelope[]) => void;
  /** Replaces a vault's snapshot and prunes the envelopes it covers. */
  storeSnapshot: (snap: StoredSnapshot) => void;
  close: () => void;
}>;

/** Opens (creating if needed) the relay database in `dataDir`. */
export function openRelayStore(dataDir: string, durability: 'full' | 'normal'): RelayStore {
  mkdirSync(dataDir, { recursive: true });
  return openRelayDatabase(join(dataDir, 'relay.sqlite3'), durability, dataDir);
}

/** Opens the relay database at `file`; `':memory:'` gives a private in-memory one (in-process simulations). */
export function openRelayDatabase(file: string, durability: 'full' | 'normal', dataDir = file): RelayStore {
  const db = new Database(file);
  // Exclusive: a second relay on the same data dir fails at start instead of corrupting the caches.
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(schema);
    migrate(db);
  } catch (error) {
    db.close();
    const busy = error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY';
    throw busy ? new Error(`another relay process is using ${dataDir}; stop it or pick another --data-dir`) : error;
  }
  return storeOver(db, prepareStatements(db));
}

/** Schema 2 (protocol v3): envelopes keep the member-log position they were written under. */
function migrate(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(envelopes)').all();
  if (!columns.some((column) => column.name === 'members')) db.exec('ALTER TABLE envelopes ADD COLUMN members INTEGER');
  db.prepare("INSERT INTO meta (key, value) VALUES ('schema', '2') ON CONFLICT (key) DO UPDATE SET value = '2'").run();
}

function prepareStatements(db: Database.Database) {
  return {
    vault: db.prepare<[string], { vault: string }>('SELECT vault FROM vaults WHERE vault = ?'),
    lastSeq: db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM envelopes WHERE vault = ?'),
    insertVault: db.prepare('INSERT INTO vaults (vault, created_at) VALUES (?, ?)'),
    members: db.prepare<[string], { record: string }>('SELECT record FROM members WHERE vault = ? ORDER BY idx'),
    insertMember: db.prepare('INSERT INTO members (vault, idx, record) VALUES (?, ?, ?)'),
    authors: db.prepare<[string, string], { author: Buffer; counter: number }>(
      `SELECT author, MAX(counter) AS counter FROM (
         SELECT author, counter FROM authors WHERE vault = ?
         UNION ALL SELECT author, MAX(counter) FROM envelopes WHERE vault = ? GROUP BY author)
       GROUP BY author`,
    ),
    keepPrunedCounters: db.prepare(
      `INSERT INTO authors (vault, author, counter)
       SELECT vault, author, MAX(counter) FROM envelopes WHERE vault = ? AND seq <= ? GROUP BY author
       ON CONFLICT (vault, author) DO UPDATE SET counter = MAX(counter, excluded.counter)`,
    ),
    insertEnvelope: db.prepare(
      'INSERT INTO envelopes (vault, seq, epoch, author, counter, members, nonce, ciphertext, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    envelopesAfter: db.prepare<[string, number], StoredEnvelope>(
      'SELECT vault, seq, epoch, author, counter, members, nonce, ciphertext, sig FROM envelopes WHERE vault = ? AND seq > ? ORDER BY seq',
    ),
    envelopeByCounter: db.prepare<[string, Uint8Array, number], { seq: number; sig: Buffer }>(
      'SELECT seq, sig FROM envelopes WHERE vault = ? AND author = ? AND counter = ?',
    ),
    snapshot: db.prepare<[string], StoredSnapshot>(
      'SELECT vault, seq, epoch, author, nonce, ciphertext, sig FROM snapshots WHERE vault = ?',
    ),
    upsertSnapshot: db.prepare(
      `INSERT INTO snapshots (vault, seq, epoch, author, nonce, ciphertext, sig) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (vault) DO UPDATE SET seq = excluded.seq, epoch = excluded.epoch, author = excluded.author,
       nonce = excluded.nonce, ciphertext = excluded.ciphertext, sig = excluded.sig`,
    ),
    prune: db.prepare('DELETE FROM envelopes WHERE vault = ? AND seq <= ?'),
    upsertGrant: db.prepare(
      'INSERT INTO grants (vault, recipient, epoch, body) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET body = excluded.body',
    ),
    vaultsCreatedBy: db.prepare<[string], { count: number }>(
      "SELECT COUNT(*) AS count FROM members WHERE idx = 0 AND json_extract(record, '$.signer') = ?",
    ),
    bytesStoredBy: db.prepare<[Uint8Array, Uint8Array], { bytes: number | null }>(
      `SELECT (SELECT SUM(length(ciphertext)) FROM envelopes WHERE author = ?)
            + COALESCE((SELECT SUM(length(ciphertext)) FROM snapshots WHERE author = ?), 0) AS bytes`,
    ),
    grantsFor: db.prepare<[Uint8Array], { body: string }>(
      'SELECT body FROM grants WHERE recipient = ? ORDER BY vault, epoch',
    ),
  };
}

// The members are documented once, on `RelayStore`.
function storeOver(db: Database.Database, q: ReturnType<typeof prepareStatements>): RelayStore {
  return {
    headOf: (vault: string): number | undefined =>
      q.vault.get(vault) ? Math.max(q.lastSeq.get(vault)?.seq ?? 0, q.snapshot.get(vault)?.seq ?? 0) : undefined,
    memberRecords: (vault: string): WireMemberRecord[] =>
      q.members.all(vault).map((row) => JSON.parse(row.record) as WireMemberRecord),
    authorCounters: (vault: string) => q.authors.all(vault, vault),
    envelopesAfter: (vault: string, seq: number) => q.envelopesAfter.iterate(vault, seq),
    envelopeByCounter: (vault: string, author: Uint8Array, counter: number) =>
      q.envelopeByCounter.get(vault, author, counter),
    snapshotOf: (vault: string) => q.snapshot.get(vault),
    grantsFor: (recipient: Uint8Array) => q.grantsFor.all(recipient).map((row) => JSON.parse(row.body) as WireGrant),
    vaultsCreatedBy: (deviceKey: string) => q.vaultsCreatedBy.get(deviceKey)?.count ?? 0,
    bytesStoredBy: (author: Uint8Array) => q.bytesStoredBy.get(author, author)?.bytes ?? 0,

    registerVault: db.transaction((vault: string, genesis: WireMemberRecord, now: number) => {
      q.insertVault.run(vault, now);
      q.insertMember.run(vault, genesis.index, JSON.stringify(genesis));
    }),
    appendMember: db.transaction(
      (record: WireMemberRecord, grant: { recipient: Uint8Array; body: WireGrant } | null) => {
        q.insertMember.run(record.vault, record.index, JSON.stringify(record));
        if (grant) q.upsertGrant.run(grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body));
      },
    ),
    appendRotation: db.transaction(
      (
        records: readonly WireMemberRecord[],
        grants: readonly { recipient: Uint8Array; body: WireGrant }[],
        snap: StoredSnapshot | null,
      ) => {
        for (const record of records) q.insertMember.run(record.vault, record.index, JSON.stringify(record));
        for (const grant of grants)
          q.upsertGrant.run(grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body));
        if (snap) {
          q.upsertSnapshot.run(snap.vault, snap.seq, snap.epoch, snap.author, snap.nonce, snap.ciphertext, snap.sig);
          q.keepPrunedCounters.run(snap.vault, snap.seq);
          q.prune.run(snap.vault, snap.seq);
        }
      },
    ),
    appendEnvelopes: db.transaction((envelopes: readonly StoredEnvelope[]) => {
      for (const e of envelopes)
        q.insertEnvelope.run(e.vault, e.seq, e.epoch, e.author, e.counter, e.members, e.nonce, e.ciphertext, e.sig);
    }),
    storeSnapshot: db.transaction((snap: StoredSnapshot) => {
      q.upsertSnapshot.run(snap.vault, snap.seq, snap.epoch, snap.author, snap.nonce, snap.ciphertext, snap.sig);
      q.keepPrunedCounters.run(snap.vault, snap.seq);
      q.prune.run(snap.vault, snap.seq);
    }),
    close: () => db.close(),
  };
}
