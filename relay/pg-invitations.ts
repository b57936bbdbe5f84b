// The invitation mailboxes in the PostgreSQL store (see InvitationStore): one row per invitation, shared
// by every relay node, so an admin on one node sees the join request an invitee posted through another.
import type pg from 'pg';
import { transaction } from './pg-transaction';
import {
  invitationColumns as columns,
  rowValuesOf,
  slotOfRow as slotOf,
  type InvitationRow as Row,
} from './invitation-rows';
import type { InvitationChange, InvitationSlot, InvitationStore } from './store';

// Any constant: the key of the advisory lock under which invitations are opened (the limits count rows
// of a vault and of an inviting device across nodes; opening one is rare).
const openLock = 0x52564c49;

async function slotById(client: pg.ClientBase | pg.Pool, invitation: string, now: number, lock = '') {
  const { rows } = await client.query<Row>(
    `SELECT ${columns} FROM invitations WHERE invitation = $1 AND expires_at > $2 ${lock}`,
    [invitation, now],
  );
  return rows[0] && slotOf(rows[0]);
}

const countOf = async (client: pg.ClientBase, sql: string, values: unknown[]) =>
  Number((await client.query<{ count: string }>(sql, values)).rows[0]?.count ?? 0);

/** The InvitationStore over the pool. */
export function invitationsOver(pool: pg.Pool): InvitationStore {
  return {
    openInvitation: (slot, now, limits) =>
      transaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [openLock]);
        await client.query('DELETE FROM invitations WHERE expires_at <= $1', [now]);
        const held = await slotById(client, slot.invitation, now);
        if (held) return held;
        if (
          (await countOf(client, 'SELECT COUNT(*) AS count FROM invitations WHERE vault = $1', [slot.vault])) >=
          limits.perVault
        )
          return 'too-many';
        const ofInviter = 'SELECT COUNT(*) AS count FROM invitations WHERE inviter = $1';
        if ((await countOf(client, ofInviter, [slot.inviter])) >= limits.perInviter) return 'too-many';
        await client.query(
          `INSERT INTO invitations (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          rowValuesOf(slot),
        );
        return null;
      }),
    changeInvitation: <T>(
      invitation: string,
      now: number,
      change: (slot: InvitationSlot | undefined) => InvitationChange<T>,
    ) =>
      transaction(pool, async (client) => {
        // Locked: two nodes taking a join request for one invitation at once cannot both store theirs.
        const { next, result } = change(await slotById(client, invitation, now, 'FOR UPDATE'));
        if (next) {
          await client.query('UPDATE invitations SET state = $2, request = $3, contested = $4 WHERE invitation = $1', [
            invitation,
            next.state,
            next.request && JSON.stringify(next.request),
            next.contested,
          ]);
        }
        return result;
      }),
    invitationById: (invitation, now) => slotById(pool, invitation, now),
    invitationsOf: async (vault, now) =>
      (
        await pool.query<Row>(
          `SELECT ${columns} FROM invitations WHERE vault = $1 AND expires_at > $2 ORDER BY expires_at, invitation`,
          [vault, now],
        )
      ).rows.map(slotOf),
    dropInvitations: async (invitations) =>
      void (await pool.query('DELETE FROM invitations WHERE invitation = ANY($1)', [invitations])),
  };
}
