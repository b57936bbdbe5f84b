// Write access across relay nodes. Node B checked a writer's envelope against its cached member log
// while node A committed that writer's removal, and B never heard of it (a notification lost or late:
// B here follows no changes at all). B's commit must still refuse the envelope: the commit locks the
// vault's row and compares the member-log length it checked against with the stored one; B then reads
// the records it missed and checks the envelope again.
import { expect, inject, test } from 'vitest';
import { encodeUtf8 } from '../../../shared/crypto/bytes';
import { sealEnvelope } from '../../../shared/sync/envelope';
import { applyMemberRecord, emptyMemberState, signMemberRecord, type MemberState } from '../../../shared/sync/members';
import { createRelayContext } from '../../../relay/context';
import { defaultLimits } from '../../../relay/limits';
import { openPgStore } from '../../../relay/pg-store';
import { catchUpMembers } from '../../../relay/remote-changes';
import { errorCodes } from '../../../shared/sync/codes';
import { deliveries, publishOf, recordingConnection, request } from './in-process';
import { createDatabaseAt } from '../../support/postgres';
import { createTestVault } from '../sync/clients';
import { createTestDevice, nodeRandom } from '../sync/harness';

test('an envelope checked against a member log another node changed meanwhile is not stored', async () => {
  const url = await createDatabaseAt(inject('relayPostgresAdminUrl') ?? '');
  const [storeA, storeB] = [await openPgStore({ url, poolSize: 2 }), await openPgStore({ url, poolSize: 2 })];
  try {
    const vault = await createTestVault();
    const writer = createTestDevice();
    const apply = (state: MemberState, record: Parameters<typeof applyMemberRecord>[1]) => {
      const next = applyMemberRecord(state, record, true);
      if (typeof next === 'string') throw new Error(next);
      return next;
    };
    let state = apply(emptyMemberState(vault.vaultId), vault.genesis);
    const add = await signMemberRecord(
      state,
      { action: 'add', subject: writer.publicKey, role: 'writer' },
      vault.owner,
    );
    state = apply(state, add);
    expect(await storeA.registerVault(vault.vaultId, vault.genesis, 0)).toBe(true);
    expect(await storeA.appendMember(add, null)).toBe(true);

    // Node B loads the vault: the writer may write.
    const nodeB = createRelayContext(storeB, defaultLimits, Date.now, {
      catchUpMembers: (vault) => catchUpMembers(storeB, vault),
    });
    const cached = await nodeB.vaults.get(vault.vaultId);
    if (!cached) throw new Error('vault not loaded');
    expect(cached.records).toHaveLength(2);

    // Node A removes the writer (its counter frozen at 0); B does not hear of it.
    const remove = await signMemberRecord(
      state,
      { action: 'remove', subject: writer.publicKey, role: 'writer', last: 0 },
      vault.owner,
    );
    expect(await storeA.appendMember(remove, null)).toBe(true);

    // The envelope passed B's checks against the old log; its commit comes after the removal.
    const env = await sealEnvelope({
      vault: vault.vaultId,
      vaultKey: vault.vaultKey,
      counter: 1,
      members: 2,
      update: encodeUtf8('after removal'),
      signer: writer,
      random: nodeRandom,
    });
    const { conn, frames } = recordingConnection(writer);
    await request({ store: storeB, ctx: nodeB }, conn, publishOf(1, env));
    await nodeB.queue.flushNow();
    // Checked again against the log the commit found: the writer was removed.
    expect(deliveries(frames)).toEqual([`error ${errorCodes.notAWriter}`]);
    expect(await storeA.envelopesAfter(vault.vaultId, 0, 10)).toEqual([]);
    // B read the record it had missed: the writer's next attempt is refused by the ordinary check.
    expect(cached.records).toHaveLength(3);
  } finally {
    await storeA.close();
    await storeB.close();
  }
});
