import { describe, expect, test } from 'vitest';
import { nodeRandom, nodeVerify } from '../../tests/integration/sync/harness';
import { encodeBase64 } from '../crypto/bytes';
import { commitEpochKey, currentEpoch, epochAt, matchesCommitment, removedSinceRotation } from './epochs';
import { openKeyGrant, sealKeyGrant } from './grants';
import { applyMemberRecord, canWrite, signMemberRecord, type MemberState } from './members';
import { keysThatMayWrite, orderRotationCounters } from './rotation-counters';
import { teamVault as teamVaultOf } from '../../tests/support/member-team';

const vault = 'vault-epochs-0000000';

const teamVault = () => teamVaultOf(vault);

const rotateWith = (state: MemberState, key: Uint8Array, epoch = currentEpoch(state) + 1) =>
  ({
    action: 'rotate',
    subject: commitEpochKey(vault, epoch, key),
    role: 'admin',
    counters: orderRotationCounters(keysThatMayWrite(state.roles, state.frozen, canWrite), () => 0),
  }) as const;

describe('key epochs', () => {
  test('each rotate record starts the next epoch; an envelope position says which one it was sealed under', async () => {
    const { owner, state } = await teamVault();
    const key = nodeRandom(32);
    const rotated = applyMemberRecord(
      state,
      await signMemberRecord(state, rotateWith(state, key), owner),
      true,
    ) as MemberState;
    expect([currentEpoch(state), currentEpoch(rotated)]).toEqual([0, 1]);
    expect([epochAt(rotated, state.length), epochAt(rotated, rotated.length)]).toEqual([0, 1]);
    expect(matchesCommitment(rotated, 1, key)).toBe(true);
    expect(matchesCommitment(rotated, 1, nodeRandom(32))).toBe(false);
    // Roles are untouched by a rotation.
    expect(rotated.roles).toEqual(state.roles);
  });

  test('only an admin rotates; a rotate record names the admin role and no counter', async () => {
    const { owner, writer, state } = await teamVault();
    const key = nodeRandom(32);
    expect(applyMemberRecord(state, await signMemberRecord(state, rotateWith(state, key), writer), true)).toBe(
      'signer is not an admin',
    );
    const withLast = await signMemberRecord(state, { ...rotateWith(state, key), last: 3 }, owner);
    expect(applyMemberRecord(state, withLast, true)).toBe('a rotate record names the admin role and no counter');
  });

  test('any member may remove itself (leave) but nobody else; a leaver is pending rotation until the next rotate', async () => {
    const { owner, writer, reader, state } = await teamVault();
    const other = await signMemberRecord(
      state,
      { action: 'remove', subject: reader.publicKey, role: 'reader', last: 0 },
      writer,
    );
    expect(applyMemberRecord(state, other, true)).toBe('signer is not an admin');
    const leave = await signMemberRecord(
      state,
      { action: 'remove', subject: writer.publicKey, role: 'reader', last: 2 },
      writer,
    );
    const left = applyMemberRecord(state, leave, true) as MemberState;
    expect(removedSinceRotation(left)).toEqual([encodeBase64(writer.publicKey)]);
    const rotated = applyMemberRecord(
      left,
      await signMemberRecord(left, rotateWith(left, nodeRandom(32)), owner),
      true,
    ) as MemberState;
    expect(removedSinceRotation(rotated)).toEqual([]);
  });

  test('a grant carries the key ring; a key that is not the committed one is refused (a lying admin or relay)', async () => {
    const { owner, writer, state } = await teamVault();
    const [k0, k1] = [nodeRandom(32), nodeRandom(32)];
    const rotated = applyMemberRecord(
      state,
      await signMemberRecord(state, rotateWith(state, k1), owner),
      true,
    ) as MemberState;
    const recipient = { signing: writer.publicKey, box: writer.boxKeys.publicKey };
    const grantOf = (key: Uint8Array) =>
      sealKeyGrant({
        vault,
        vaultKey: { epoch: 1, key },
        ring: new Map([[0, k0]]),
        recipient,
        signer: owner,
        random: nodeRandom,
      });
    const open = async (key: Uint8Array) =>
      openKeyGrant({
        grant: await grantOf(key),
        members: rotated,
        device: writer.publicKey,
        boxKeys: writer.boxKeys,
        verify: nodeVerify,
      });
    const good = await open(k1);
    expect(good.ok && [...good.value.ring.keys()].sort()).toEqual([0, 1]);
    expect(await open(nodeRandom(32))).toMatchObject({ ok: false, error: { code: 'wrong-key' } });
  });
});
