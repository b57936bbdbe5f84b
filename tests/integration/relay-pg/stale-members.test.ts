// Write access across relay nodes. Node B checked a writer's envelope against its cached member log
// while node A committed that writer's removal, and B never heard of it (a notification lost or late:
// B here follows no changes at all). B's commit must still refuse the envelope: the commit locks the
// vault's row and compares the member-log length it checked against with the stored one.
import { expect, inject, test } from 'vitest';
import { encodeUtf8 } from '../../../shared/crypto/bytes';
import { sealEnvelope } from '../../../shared/sync/envelope';
import { applyMemberRecord, emptyMemberState, signMemberRecord, type MemberState } from '../../../shared/sync/members';
import { createRelayContext } from '../../../relay/context';
import { defaultLimits } from '../../../relay/limits';
import { openPgStore } from '../../../relay/pg-store';
import { asBuffer } from '../../../relay/context';
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
    const nodeB = createRelayContext(storeB, defaultLimits);
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
    const outcome = await new Promise<{ seq?: number; stale?: boolean }>((resolve) => {
      nodeB.queue.push({
        vault: cached,
        wire: { counter: 1 } as never,
        origin: null,
        row: {
          vault: vault.vaultId,
          epoch: env.epoch,
          author: asBuffer(env.author),
          counter: 1,
          members: 2,
          nonce: asBuffer(env.nonce),
          ciphertext: asBuffer(env.ciphertext),
          sig: asBuffer(env.sig),
        },
        onCommitted: (seq) => resolve({ seq }),
        onFailed: (_error, stale) => resolve({ stale }),
      });
    });
    expect(outcome).toEqual({ stale: true });
    expect(await storeA.envelopesAfter(vault.vaultId, 0, 10)).toEqual([]);
    // B re-read the log: the writer's next attempt is refused by the ordinary check.
    expect(cached.records).toHaveLength(3);
  } finally {
    await storeA.close();
    await storeB.close();
  }
});
