// A verified member log for unit tests of the member rules: an owner (admin), a writer and a reader.
import { createTestDevice, nodeVerify } from '../integration/sync/harness';
import {
  applyMemberRecord,
  createGenesisRecord,
  signMemberRecord,
  verifyMemberLog,
  type MemberState,
} from '../../shared/sync/members';

/** The owner, a writer and a reader of `vault`, and the member state after adding them. */
export async function teamVault(vault: string) {
  const owner = createTestDevice();
  const writer = createTestDevice();
  const reader = createTestDevice();
  let state = (await verifyMemberLog(vault, [await createGenesisRecord(vault, owner)], nodeVerify)) as MemberState;
  for (const [device, role] of [
    [writer, 'writer'],
    [reader, 'reader'],
  ] as const) {
    state = applyMemberRecord(
      state,
      await signMemberRecord(state, { action: 'add', subject: device.publicKey, role }, owner),
      true,
    ) as MemberState;
  }
  return { owner, writer, reader, state };
}
