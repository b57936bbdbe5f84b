// The counters a `rotate` record fixes, judged by hand-built records (docs/protocol.md §7c): the record
// must name every key that may still write, once, keys ascending; an envelope naming a position before the
// rotation is valid only up to its author's counter there — also for a leaver that named an inflated `last`.
import { describe, expect, test } from 'vitest';
import { createTestDevice, nodeRandom } from '../../tests/integration/sync/harness';
import { encodeBase64 } from '../crypto/bytes';
import { commitEpochKey, currentEpoch } from './epochs';
import { standingAt } from './member-standing';
import { applyMemberRecord, canWrite, signMemberRecord, type MemberState } from './members';
import { keysThatMayWrite, orderRotationCounters } from './rotation-counters';
import type { TestDevice } from '../../tests/integration/sync/harness';
import { teamVault as teamVaultOf } from '../../tests/support/member-team';

const vault = 'vault-rotation-count0';

const teamVault = () => teamVaultOf(vault);

function rotation(state: MemberState, counterOf: (key: string) => number) {
  return {
    action: 'rotate',
    subject: commitEpochKey(vault, currentEpoch(state) + 1, nodeRandom(32)),
    role: 'admin',
    counters: orderRotationCounters(keysThatMayWrite(state.roles, state.frozen, canWrite), counterOf),
  } as const;
}

async function rotate(state: MemberState, owner: TestDevice, counterOf: (key: string) => number) {
  return applyMemberRecord(state, await signMemberRecord(state, rotation(state, counterOf), owner), true);
}

describe('rotation counters', () => {
  test('a rotate record names every key that may still write, once, keys ascending — or it is refused', async () => {
    const { owner, writer, reader, state } = await teamVault();
    const honest = rotation(state, () => 3);
    expect(honest.counters.map((c) => c.device).sort()).toEqual(
      [encodeBase64(owner.publicKey), encodeBase64(writer.publicKey)].sort(),
    );
    const sign = (counters: typeof honest.counters | undefined) =>
      signMemberRecord(state, { ...honest, counters }, owner).then((r) => applyMemberRecord(state, r, true));
    expect(typeof (await sign(honest.counters))).toBe('object');
    expect(await sign(undefined)).toBe('a rotate record carries counters');
    // A writer left out (its old-epoch envelopes would stay unbounded).
    expect(await sign(honest.counters.slice(1))).toMatch(/every key that may still write/);
    // A reader named (it never wrote under the old epoch).
    const withReader = orderRotationCounters(
      [...honest.counters.map((c) => c.device), encodeBase64(reader.publicKey)],
      () => 1,
    );
    expect(await sign(withReader)).toMatch(/every key that may still write/);
    // Out of order, or a key twice.
    expect(await sign([...honest.counters].reverse())).toMatch(/keys ascending/);
    const first = honest.counters[0];
    if (!first) throw new Error('no counters');
    expect(await sign([first, first])).toMatch(/keys ascending/);
    // Counters on any other record.
    const add = await signMemberRecord(
      state,
      { action: 'add', subject: createTestDevice().publicKey, role: 'writer', counters: honest.counters },
      owner,
    );
    expect(applyMemberRecord(state, add, true)).toBe('only a rotate record carries counters');
  });

  test('an envelope naming a position before a rotation is valid only up to its author’s counter there', async () => {
    const { owner, writer, state } = await teamVault();
    const before = state.length;
    const rotated = (await rotate(state, owner, (key) =>
      key === encodeBase64(writer.publicKey) ? 7 : 2,
    )) as MemberState;
    const author = encodeBase64(writer.publicKey);
    expect(standingAt(rotated, author, 7, before)).toEqual({ role: 'writer' });
    expect(standingAt(rotated, author, 8, before)).toMatchObject({ refused: expect.stringMatching(/key rotation/) });
    expect(standingAt(rotated, author, 2 ** 53 - 1, before)).toHaveProperty('refused');
    // Written under the new epoch (a position after the rotation): not capped.
    expect(standingAt(rotated, author, 8, rotated.length)).toEqual({ role: 'writer' });
  });

  test('a leaver that names an inflated last is capped by the next rotation at the counter the relay stored', async () => {
    const { owner, writer, state } = await teamVault();
    const author = encodeBase64(writer.publicKey);
    const leave = await signMemberRecord(
      state,
      { action: 'remove', subject: writer.publicKey, role: 'reader', last: Number.MAX_SAFE_INTEGER },
      writer,
    );
    const left = applyMemberRecord(state, leave, true) as MemberState;
    // Until an admin rotates, the leaver's own `last` is all a peer has (the relay refuses such a record, 2006).
    expect(standingAt(left, author, 10 ** 12, state.length)).toEqual({ role: 'writer' });
    const rotated = (await rotate(left, owner, (key) => (key === author ? 5 : 0))) as MemberState;
    expect(standingAt(rotated, author, 5, state.length)).toEqual({ role: 'writer' });
    expect(standingAt(rotated, author, 6, state.length)).toHaveProperty('refused');
    // A rotation may not raise a former writer above its frozen counter.
    const frozenLow = applyMemberRecord(
      state,
      await signMemberRecord(state, { action: 'remove', subject: writer.publicKey, role: 'reader', last: 4 }, owner),
      true,
    ) as MemberState;
    expect(await rotate(frozenLow, owner, (key) => (key === author ? 9 : 0))).toMatch(/frozen/);
  });
});
