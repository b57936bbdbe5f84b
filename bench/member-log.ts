// Member-log cost on the relay (issue #11, item 4): replaying a vault's log when the vault is loaded,
// and appending one record to a long log. 8,000 records (a genesis and 7,999 members added by it),
// signed once up front; only the relay's work is timed. JSON to stdout, progress to stderr.
import { applyMemberRecord, emptyMemberState, signMemberRecord, type MemberState } from '../shared/sync/members';
import type { WireMemberRecord } from '../shared/sync/wire-records';
import { replayMembers } from '../relay/vaults';
import { createTestDevice } from '../tests/integration/sync/harness';

const COUNT = Number(process.env['BENCH_MEMBERS'] ?? 8000);
const vault = 'bench-member-log-0000';

process.stderr.write(`member-log: signing ${COUNT} records…\n`);
const admin = createTestDevice();
const records: WireMemberRecord[] = [];
let state: MemberState = emptyMemberState(vault);
for (let i = 0; i < COUNT; i++) {
  const subject = i === 0 ? admin.publicKey : createTestDevice().publicKey;
  const record = await signMemberRecord(state, { action: 'add', subject, role: i === 0 ? 'admin' : 'writer' }, admin);
  const next = applyMemberRecord(state, record, true);
  if (typeof next === 'string') throw new Error(next);
  state = next;
  records.push(record);
}

const start = performance.now();
const replayed = replayMembers(vault, records);
const replayMs = performance.now() - start;

const extra = await signMemberRecord(
  replayed,
  { action: 'add', subject: createTestDevice().publicKey, role: 'reader' },
  admin,
);
const appendStart = performance.now();
applyMemberRecord(replayed, extra, true);
const appendMs = performance.now() - appendStart;

process.stdout.write(
  `${JSON.stringify({ records: COUNT, replayMs: Math.round(replayMs), appendOneMs: Math.round(appendMs * 100) / 100 }, null, 2)}\n`,
);
