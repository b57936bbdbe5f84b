// The relay's SQLite store (the embedded default: one relay process, one file). WAL mode; every
// acknowledgement follows a committed transaction (see RelayConfig.durability for the fsync level).
// Its calls are synchronous; `openRelayStore` wraps them in the asynchronous RelayStore seam.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WireGrant, WireMemberRecord } from '../shared/sync/wire-records';
import { addInvitationColumns, invitationSchema, invitationsOver, type SqliteInvitations } from './sqlite-invitations';
import type {
  CatchUp,
  NewEnvelope,
  RelayStore,
  StoredEnvelope,
  StoredSnapshot,
  StoredVault,
  VaultPositions,
} from './store';

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
  nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL, members INTEGER NOT NULL, PRIMARY KEY (vault, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS envelopes_by_author ON envelopes (vault, author, counter);
-- A device's stored bytes are summed once per process (quotas.ts): by index, not a table scan.
CREATE INDEX IF NOT EXISTS envelopes_of_author ON envelopes (author);
CREATE TABLE IF NOT EXISTS snapshots (
  vault TEXT PRIMARY KEY, seq INTEGER NOT NULL, epoch INTEGER NOT NULL, author BLOB NOT NULL,
  nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS grants (
  vault TEXT NOT NULL, recipient BLOB NOT NULL, epoch INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (vault, recipient, epoch));
`;

/** A grant row as stored: recipient key and the signed grant. */
type GrantRow = { recipient: Uint8Array; body: WireGrant };

/** The SQLite store's synchronous API (the in-process simulation reads it between steps); see RelayStore. */
export type SqliteStore = SqliteInvitations &
  Readonly<{
    headOf: (vault: string) => number | undefined;
    memberRecords: (vault: string, from?: number) => WireMemberRecord[];
    authorCounters: (vault: string) => { author: Buffer; counter: number }[];
    envelopesAfter: (vault: string, after: number, upTo?: number) => IterableIterator<StoredEnvelope>;
    snapshotOf: (vault: string) => StoredSnapshot | undefined;
    loadVault: (vault: string) => StoredVault | undefined;
    catchUp: (vault: string, from: number) => CatchUp;
    envelopeByCounter: (vault: string, author: Uint8Array, counter: number) => { seq: number; sig: Buffer } | undefined;
    grantsFor: (recipient: Uint8Array) => WireGrant[];
    vaultsCreatedBy: (deviceKey: string) => number;
    bytesStoredBy: (author: Uint8Array) => number;
    positions: (vaults: readonly string[]) => VaultPositions[];
    registerVault: (vault: string, genesis: WireMemberRecord, now: number) => boolean;
    appendMember: (record: WireMemberRecord, grant: GrantRow | null) => boolean;
    appendRotation: (
      records: readonly WireMemberRecord[],
      grants: readonly GrantRow[],
      snap: StoredSnapshot | null,
    ) => boolean;
    /** Stores the envelopes, each with the next sequence number of its vault; returns those numbers. */
    appendEnvelopes: (envelopes: readonly NewEnvelope[]) => number[];
    storeSnapshot: (snap: StoredSnapshot) => boolean;
    close: () => void;
  }>;

/** Opens (creating if needed) the relay database in `dataDir`, behind the asynchronous seam. */
export function openRelayStore(dataDir: string, durability: 'full' | 'normal'): RelayStore {
  mkdirSync(dataDir, { recursive: true });
  return asyncStoreOver(openRelayDatabase(join(dataDir, 'relay.sqlite3'), durability, dataDir));
}

/** Opens the relay database at `file`; `':memory:'` gives a private in-memory one (in-process simulations). */
export function openRelayDatabase(file: string, durability: 'full' | 'normal', dataDir = file): SqliteStore {
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

/** The asynchronous seam over the synchronous store: each call runs (and commits) before it returns. */
export function asyncStoreOver(store: SqliteStore): RelayStore {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> => {
      try {
        return Promise.resolve(fn(...args));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  return {
    kind: 'sqlite',
    loadVault: wrap(store.loadVault),
    memberRecords: wrap(store.memberRecords),
    authorCounters: wrap(store.authorCounters),
    envelopesAfter: wrap((vault: string, after: number, upTo: number) => [...store.envelopesAfter(vault, after, upTo)]),
    catchUp: wrap(store.catchUp),
    envelopeByCounter: wrap(store.envelopeByCounter),
    snapshotOf: wrap(store.snapshotOf),
    grantsFor: wrap(store.grantsFor),
    vaultsCreatedBy: wrap(store.vaultsCreatedBy),
    bytesStoredBy: wrap(store.bytesStoredBy),
    registerVault: wrap(store.registerVault),
    appendMember: wrap(store.appendMember),
    appendRotation: wrap(store.appendRotation),
    // One process holds the file exclusively: the member log cannot change behind the checks.
    appendEnvelopes: wrap((rows: readonly NewEnvelope[]) => ({ ok: true as const, seqs: store.appendEnvelopes(rows) })),
    openInvitation: wrap(store.openInvitation),
    changeInvitation: <T>(...args: Parameters<SqliteInvitations['changeInvitation']>) =>
      wrap(() => store.changeInvitation(...args) as T)(),
    invitationById: wrap(store.invitationById),
    invitationsOf: wrap(store.invitationsOf),
    dropInvitations: wrap(store.dropInvitations),
    storeSnapshot: wrap(store.storeSnapshot),
    positions: wrap(store.positions),
    watch: () => undefined,
    poolStats: () => null,
    ping: wrap(() => undefined),
    close: wrap(() => void store.close()),
  };
}

/** The schema version this relay writes (`meta.schema`). */
const sqliteSchemaVersion = 5;

/**
 * Schema 3: the invitation mailboxes. Schema 5 (protocol v5): every envelope names its member-log position
 * and is signed under the v5 domain, and each mailbox keeps its inviter, sealed copy and second uses. A
 * database of an older schema that holds vaults is refused — no v5 peer could verify what it stores — and
 * so is one written by a newer relay.
 */
function migrate(db: Database.Database): void {
  const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get();
  const version = Number(stored?.value ?? sqliteSchemaVersion);
  if (version > sqliteSchemaVersion) {
    throw new Error(
      `the relay database has schema ${stored?.value}; this relay knows up to ${sqliteSchemaVersion}: update it`,
    );
  }
  if (version < sqliteSchemaVersion) {
    const vaults = db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM vaults').get()?.count ?? 0;
    if (vaults > 0) {
      throw new Error(
        `the relay database has schema ${version}, from before protocol v5, whose envelopes no current client accepts: start the relay on a new database file`,
      );
    }
    // Empty: the envelope table is made again with the position required.
    db.exec('DROP TABLE envelopes');
    db.exec(schema);
  }
  db.exec(invitationSchema);
  addInvitationColumns(db);
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(String(sqliteSchemaVersion));
}

function prepareStatements(db: Database.Database) {
  return {
    vault: db.prepare<[string], { vault: string }>('SELECT vault FROM vaults WHERE vault = ?'),
    lastSeq: db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM envelopes WHERE vault = ?'),
    insertVault: db.prepare('INSERT OR IGNORE INTO vaults (vault, created_at) VALUES (?, ?)'),
    members: db.prepare<[string, number], { record: string }>(
      'SELECT record FROM members WHERE vault = ? AND idx >= ? ORDER BY idx',
    ),
    memberCount: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM members WHERE vault = ?'),
    insertMember: db.prepare('INSERT OR IGNORE INTO members (vault, idx, record) VALUES (?, ?, ?)'),
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
    envelopesAfter: db.prepare<[string, number, number], StoredEnvelope>(
      'SELECT vault, seq, epoch, author, counter, members, nonce, ciphertext, sig FROM envelopes WHERE vault = ? AND seq > ? AND seq <= ? ORDER BY seq',
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
function storeOver(db: Database.Database, q: ReturnType<typeof prepareStatements>): SqliteStore {
  const headOf = (vault: string): number | undefined =>
    q.vault.get(vault) ? Math.max(q.lastSeq.get(vault)?.seq ?? 0, q.snapshot.get(vault)?.seq ?? 0) : undefined;
  const memberRecords = (vault: string, from = 0): WireMemberRecord[] =>
    q.members.all(vault, from).map((row) => JSON.parse(row.record) as WireMemberRecord);
  const authorCounters = (vault: string) => q.authors.all(vault, vault);
  const snapshotOf = (vault: string) => q.snapshot.get(vault);
  const envelopesAfter = (vault: string, after: number, upTo = Number.MAX_SAFE_INTEGER) =>
    q.envelopesAfter.iterate(vault, after, upTo);
  return {
    ...invitationsOver(db),
    headOf,
    memberRecords,
    authorCounters,
    envelopesAfter,
    snapshotOf,
    loadVault: (vault: string): StoredVault | undefined => {
      const head = headOf(vault);
      if (head === undefined) return undefined;
      const records = memberRecords(vault);
      return { head, records, counters: authorCounters(vault), snapshotSeq: snapshotOf(vault)?.seq ?? 0 };
    },
    catchUp: (vault: string, from: number) => {
      const head = headOf(vault) ?? 0;
      const stored = snapshotOf(vault);
      const snap = stored && stored.seq > from && from < head ? stored : null;
      const envelopes = from < head ? [...envelopesAfter(vault, snap ? snap.seq : from, head)] : [];
      return { head, members: q.memberCount.get(vault)?.count ?? 0, snap, envelopes };
    },
    envelopeByCounter: (vault: string, author: Uint8Array, counter: number) =>
      q.envelopeByCounter.get(vault, author, counter),
    grantsFor: (recipient: Uint8Array) => q.grantsFor.all(recipient).map((row) => JSON.parse(row.body) as WireGrant),
    vaultsCreatedBy: (deviceKey: string) => q.vaultsCreatedBy.get(deviceKey)?.count ?? 0,
    bytesStoredBy: (author: Uint8Array) => q.bytesStoredBy.get(author, author)?.bytes ?? 0,
    positions: (vaults: readonly string[]) =>
      vaults.flatMap((vault) => {
        const head = headOf(vault);
        if (head === undefined) return [];
        const members = q.memberCount.get(vault)?.count ?? 0;
        return [{ vault, head, members, snapshotSeq: snapshotOf(vault)?.seq ?? 0 }];
      }),

    registerVault: db.transaction((vault: string, genesis: WireMemberRecord, now: number): boolean => {
      if (q.insertVault.run(vault, now).changes === 0) return false;
      q.insertMember.run(vault, genesis.index, JSON.stringify(genesis));
      return true;
    }),
    appendMember: db.transaction((record: WireMemberRecord, grant: GrantRow | null): boolean => {
      if (q.insertMember.run(record.vault, record.index, JSON.stringify(record)).changes === 0) return false;
      if (grant) q.upsertGrant.run(grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body));
      return true;
    }),
    appendRotation: db.transaction(
      (records: readonly WireMemberRecord[], grants: readonly GrantRow[], snap: StoredSnapshot | null): boolean => {
        const [first] = records;
        if (!first || (q.memberCount.get(first.vault)?.count ?? 0) !== first.index) return false;
        if (snap && snap.seq !== headOf(snap.vault)) return false;
        for (const record of records) q.insertMember.run(record.vault, record.index, JSON.stringify(record));
        for (const grant of grants)
          q.upsertGrant.run(grant.body.vault, grant.recipient, grant.body.epoch, JSON.stringify(grant.body));
        if (snap) {
          q.upsertSnapshot.run(snap.vault, snap.seq, snap.epoch, snap.author, snap.nonce, snap.ciphertext, snap.sig);
          q.keepPrunedCounters.run(snap.vault, snap.seq);
          q.prune.run(snap.vault, snap.seq);
        }
        return true;
      },
    ),
    appendEnvelopes: db.transaction((envelopes: readonly NewEnvelope[]): number[] => {
      const heads = new Map<string, number>();
      return envelopes.map((e) => {
        const seq = (heads.get(e.vault) ?? headOf(e.vault) ?? 0) + 1;
        heads.set(e.vault, seq);
        q.insertEnvelope.run(e.vault, seq, e.epoch, e.author, e.counter, e.members, e.nonce, e.ciphertext, e.sig);
        return seq;
      });
    }),
    storeSnapshot: db.transaction((snap: StoredSnapshot): boolean => {
      q.upsertSnapshot.run(snap.vault, snap.seq, snap.epoch, snap.author, snap.nonce, snap.ciphertext, snap.sig);
      q.keepPrunedCounters.run(snap.vault, snap.seq);
      q.prune.run(snap.vault, snap.seq);
      return true;
    }),
    close: () => void db.close(),
  };
}
