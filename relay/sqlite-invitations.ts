// The invitation mailboxes in the SQLite store (see InvitationStore): one row per invitation. One relay
// process holds the file, so each call, one synchronous transaction, is atomic.
import type Database from 'better-sqlite3';
import {
  invitationColumns as columns,
  rowValuesOf,
  slotOfRow as slotOf,
  type InvitationRow as Row,
} from './invitation-rows';
import type { InvitationChange, InvitationLimits, InvitationSlot } from './store';

/** Schema 3: the invitation mailboxes (they were kept in memory before). */
export const invitationSchema = `
CREATE TABLE IF NOT EXISTS invitations (
  invitation TEXT PRIMARY KEY, vault TEXT NOT NULL, expires_at INTEGER NOT NULL, state TEXT NOT NULL, request TEXT)
  WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS invitations_by_vault ON invitations (vault, expires_at);
CREATE INDEX IF NOT EXISTS invitations_by_expiry ON invitations (expires_at);
`;

/** Schema 4: who opened each mailbox (limits per inviting device), its sealed copy, and second uses of its code. */
export function addInvitationColumns(db: Database.Database): void {
  const present = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(invitations)')
      .all()
      .map((column) => column.name),
  );
  if (!present.has('inviter')) db.exec("ALTER TABLE invitations ADD COLUMN inviter TEXT NOT NULL DEFAULT ''");
  if (!present.has('keep')) db.exec("ALTER TABLE invitations ADD COLUMN keep TEXT NOT NULL DEFAULT ''");
  if (!present.has('contested')) db.exec('ALTER TABLE invitations ADD COLUMN contested INTEGER NOT NULL DEFAULT 0');
  db.exec('CREATE INDEX IF NOT EXISTS invitations_by_inviter ON invitations (inviter, expires_at)');
}

/** The SQLite store's invitation calls: InvitationStore, synchronous. */
export type SqliteInvitations = Readonly<{
  openInvitation: (slot: InvitationSlot, now: number, limits: InvitationLimits) => InvitationSlot | 'too-many' | null;
  changeInvitation: <T>(
    invitation: string,
    now: number,
    change: (slot: InvitationSlot | undefined) => InvitationChange<T>,
  ) => T;
  invitationById: (invitation: string, now: number) => InvitationSlot | undefined;
  invitationsOf: (vault: string, now: number) => InvitationSlot[];
  dropInvitations: (invitations: readonly string[]) => void;
}>;

/** The synchronous InvitationStore over an open relay database (its schema includes `invitationSchema`). */
export function invitationsOver(db: Database.Database): SqliteInvitations {
  const q = {
    sweep: db.prepare('DELETE FROM invitations WHERE expires_at <= ?'),
    byId: db.prepare<[string, number], Row>(
      `SELECT ${columns} FROM invitations WHERE invitation = ? AND expires_at > ?`,
    ),
    ofVault: db.prepare<[string, number], Row>(
      `SELECT ${columns} FROM invitations WHERE vault = ? AND expires_at > ? ORDER BY expires_at, invitation`,
    ),
    countVault: db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM invitations WHERE vault = ?'),
    countInviter: db.prepare<[string], { count: number }>(
      'SELECT COUNT(*) AS count FROM invitations WHERE inviter = ?',
    ),
    insert: db.prepare(`INSERT INTO invitations (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    update: db.prepare('UPDATE invitations SET state = ?, request = ?, contested = ? WHERE invitation = ?'),
    drop: db.prepare('DELETE FROM invitations WHERE invitation = ?'),
  };
  const invitationById = (invitation: string, now: number) => {
    const row = q.byId.get(invitation, now);
    return row && slotOf(row);
  };
  return {
    openInvitation: db.transaction((slot: InvitationSlot, now: number, limits: InvitationLimits) => {
      q.sweep.run(now);
      const held = invitationById(slot.invitation, now);
      if (held) return held;
      if ((q.countVault.get(slot.vault)?.count ?? 0) >= limits.perVault) return 'too-many' as const;
      if ((q.countInviter.get(slot.inviter)?.count ?? 0) >= limits.perInviter) return 'too-many' as const;
      q.insert.run(...rowValuesOf(slot));
      return null;
    }),
    changeInvitation: <T>(
      invitation: string,
      now: number,
      change: (slot: InvitationSlot | undefined) => InvitationChange<T>,
    ): T =>
      db.transaction(() => {
        const { next, result } = change(invitationById(invitation, now));
        if (next) q.update.run(next.state, next.request && JSON.stringify(next.request), next.contested, invitation);
        return result;
      })(),
    invitationById,
    invitationsOf: (vault: string, now: number) => q.ofVault.all(vault, now).map(slotOf),
    dropInvitations: db.transaction((invitations: readonly string[]) => {
      for (const invitation of invitations) q.drop.run(invitation);
    }),
  };
}
