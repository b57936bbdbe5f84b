import { describe, expect, test } from 'vitest';
import { createTestDevice, nodeVerify } from '../../tests/integration/sync/harness';
import { decodeBase64, encodeBase64 } from '../crypto/bytes';
import type { Role } from './wire-records';
import {
  applyMemberRecord,
  canDelete,
  canWrite,
  createGenesisRecord,
  emptyMemberState,
  encodeMemberSignedBytes,
  roleOf,
  signMemberRecord,
  verifyMemberLog,
  type MemberState,
} from './members';
import { mayAuthor, standingAt } from './member-standing';

const vault = 'vault-members-000000';

async function ownedVault() {
  const owner = createTestDevice();
  const genesis = await createGenesisRecord(vault, owner);
  const state = (await verifyMemberLog(vault, [genesis], nodeVerify)) as MemberState;
  return { owner, genesis, state };
}

describe('member log', () => {
  test('genesis makes its signer the admin; admins add writers and readers', async () => {
    const { owner, genesis, state } = await ownedVault();
    expect(roleOf(state, owner.publicKey)).toBe('admin');
    const writer = createTestDevice();
    const reader = createTestDevice();
    const r1 = await signMemberRecord(state, { action: 'add', subject: writer.publicKey, role: 'writer' }, owner);
    const s1 = applyMemberRecord(state, r1, true) as MemberState;
    const r2 = await signMemberRecord(s1, { action: 'add', subject: reader.publicKey, role: 'reader' }, owner);
    const final = await verifyMemberLog(vault, [genesis, r1, r2], nodeVerify);
    if (typeof final === 'string') throw new Error(final);
    expect([canWrite(roleOf(final, writer.publicKey)), canWrite(roleOf(final, reader.publicKey))]).toEqual([
      true,
      false,
    ]);
  });

  test('roles map to the product page permissions: only managers and admins delete, readers neither write nor delete', async () => {
    const { owner, genesis, state } = await ownedVault();
    const manager = createTestDevice();
    const record = await signMemberRecord(state, { action: 'add', subject: manager.publicKey, role: 'manager' }, owner);
    const final = await verifyMemberLog(vault, [genesis, record], nodeVerify);
    if (typeof final === 'string') throw new Error(final);
    expect(roleOf(final, manager.publicKey)).toBe('manager');
    const roles = ['reader', 'writer', 'manager', 'admin'] as const;
    expect(roles.map((role) => [canWrite(role), canDelete(role)])).toEqual([
      [false, false],
      [true, false],
      [true, true],
      [true, true],
    ]);
  });

  test('refuses a non-admin signer, a broken chain, a wrong index, a bad signature and losing the last admin', async () => {
    const { owner, genesis, state } = await ownedVault();
    const writer = createTestDevice();
    const r1 = await signMemberRecord(state, { action: 'add', subject: writer.publicKey, role: 'writer' }, owner);
    const s1 = applyMemberRecord(state, r1, true) as MemberState;
    const byWriter = await signMemberRecord(
      s1,
      { action: 'add', subject: createTestDevice().publicKey, role: 'admin' },
      writer,
    );
    expect(applyMemberRecord(s1, byWriter, true)).toBe('signer is not an admin');
    expect(applyMemberRecord(s1, { ...r1, index: 1 }, true)).toMatch(/expected record 2/);
    expect(applyMemberRecord(state, { ...r1, prev: encodeBase64(new Uint8Array(32)) }, true)).toMatch(/chain/);
    expect(applyMemberRecord(state, r1, false)).toBe('bad record signature');
    const removeSelf = await signMemberRecord(
      s1,
      { action: 'remove', subject: owner.publicKey, role: 'admin', last: 0 },
      owner,
    );
    expect(applyMemberRecord(s1, removeSelf, true)).toBe('a vault keeps at least one admin');
    const tampered = { ...r1, role: 'admin' as const };
    expect(await verifyMemberLog(vault, [genesis, tampered], nodeVerify)).toMatch(/record 1: bad record signature/);
  });

  test('revoking write access freezes the counter, signed into the record; re-adding lifts the freeze', async () => {
    const { owner, state } = await ownedVault();
    const writer = createTestDevice();
    const key = encodeBase64(writer.publicKey);
    const add = { action: 'add', subject: writer.publicKey, role: 'writer' } as const;
    const s1 = applyMemberRecord(state, await signMemberRecord(state, add, owner), true) as MemberState;
    const bare = await signMemberRecord(s1, { action: 'remove', subject: writer.publicKey, role: 'reader' }, owner);
    expect(applyMemberRecord(s1, bare, true)).toMatch(/must carry the last counter/);
    const demote = await signMemberRecord(s1, { ...add, role: 'reader' }, owner);
    expect(applyMemberRecord(s1, demote, true)).toMatch(/must carry the last counter/);
    const remove = await signMemberRecord(
      s1,
      { action: 'remove', subject: writer.publicKey, role: 'reader', last: 4 },
      owner,
    );
    expect(
      await nodeVerify(decodeBase64(remove.sig), encodeMemberSignedBytes({ ...remove, last: 5 }), owner.publicKey),
    ).toBe(false);
    const s2 = applyMemberRecord(s1, remove, true) as MemberState;
    expect([mayAuthor(s2, key, 4), mayAuthor(s2, key, 5)]).toEqual([true, false]);
    const again = await signMemberRecord(s2, add, owner);
    const s3 = applyMemberRecord(s2, again, true) as MemberState;
    expect([mayAuthor(s3, key, 9), s3.frozen.has(key)]).toEqual([true, false]);
    const stray = await signMemberRecord(s1, { ...add, role: 'admin', last: 1 }, owner);
    expect(applyMemberRecord(s1, stray, true)).toMatch(/only a record that takes a right away/);
  });

  test('an envelope is judged at the position it names, capped by any later record that took a right away', async () => {
    const { owner, genesis, state } = await ownedVault();
    const eve = createTestDevice();
    const key = encodeBase64(eve.publicKey);
    const change = (s: MemberState, role: Role, last?: number) =>
      signMemberRecord(s, { action: 'add', subject: eve.publicKey, role, ...(last ? { last } : {}) }, owner);
    const r1 = await change(state, 'writer');
    const s1 = applyMemberRecord(state, r1, true) as MemberState;
    const r2 = await change(s1, 'manager');
    const s2 = applyMemberRecord(s1, r2, true) as MemberState;
    expect(applyMemberRecord(s2, await change(s2, 'writer'), true)).toMatch(/must carry the last counter/);
    const r3 = await change(s2, 'writer', 7);
    const final = await verifyMemberLog(vault, [genesis, r1, r2, r3], nodeVerify);
    if (typeof final === 'string') throw new Error(final);
    expect([1, 2, 3, 4].map((position) => standingAt(final, key, 5, position))).toEqual([
      { refused: 'not a member at that position' },
      { role: 'writer' },
      { role: 'manager' },
      { role: 'writer' },
    ]);
    // Counter 8 came after the demotion signed at 7: naming the manager's position does not help.
    expect(standingAt(final, key, 8, 3)).toEqual({
      refused: 'written after record 3 took a right away (its last counter 7)',
    });
    expect(standingAt(final, key, 8, 4)).toEqual({ role: 'writer' });
    expect([standingAt(final, key, 1, 0), standingAt(final, key, 1, 5)]).toEqual([
      { refused: 'position 0 is outside the member log (1…4)' },
      { refused: 'position 5 is outside the member log (1…4)' },
    ]);
  });

  test('a genesis must add its own signer as admin, for this vault', async () => {
    const owner = createTestDevice();
    const other = await signMemberRecord(
      emptyMemberState(vault),
      { action: 'add', subject: createTestDevice().publicKey, role: 'admin' },
      owner,
    );
    expect(applyMemberRecord(emptyMemberState(vault), other, true)).toBe('genesis must add its signer as admin');
    const genesis = await createGenesisRecord(vault, owner);
    expect(applyMemberRecord(emptyMemberState('another-vault-00000'), genesis, true)).toBe(
      'record belongs to another vault',
    );
  });
});
