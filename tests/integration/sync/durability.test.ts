// A relay killed with SIGKILL the moment it has acknowledged envelopes (while it is still receiving
// and committing more) must, once restarted, serve every acknowledged envelope under the sequence
// number it acknowledged — and nothing it did not store may show up as a gap.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeEnvelope, encodeEnvelope, openEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { encodeUtf8 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeSnapshot, sealSnapshot } from '../../../shared/sync/snapshot';
import { createTestVault, type TestVault } from './clients';
import {
  nodeRandom,
  openRawSession,
  readVault,
  relaysUsePostgres,
  removeDataDir,
  startRelayProcess,
  withTimeout,
  type RelayProcess,
} from './harness';

let relay: RelayProcess;
let vault: TestVault;
beforeAll(async () => {
  relay = await startRelayProcess();
  vault = await createTestVault();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

const payloadOf = (counter: number) => encodeUtf8(`update #${counter}`);

/** Publishes `count` envelopes pipelined from `firstCounter`; SIGKILLs the relay on the `killAfter`-th ack. */
async function publishUntilKilled(
  firstCounter: number,
  count: number,
  killAfter: number,
): Promise<Map<number, number>> {
  const acked = new Map<number, number>();
  const counterOfRequest = new Map<number, number>();
  let killed: Promise<void> | null = null;
  const { session } = await openRawSession(relay.url, vault.owner, (frame) => {
    if (frame.t !== 'ack') return;
    acked.set(counterOfRequest.get(frame.id) ?? -1, frame.seq);
    // Synchronously, in the handler of the ack: the relay dies right after acknowledging.
    if (acked.size === killAfter) killed = relay.kill('SIGKILL');
  });
  if (firstCounter === 1) await session.request({ t: 'register', record: vault.genesis });
  for (let counter = firstCounter; counter < firstCounter + count; counter++) {
    const env = await sealEnvelope({
      vault: vault.vaultId,
      vaultKey: vault.vaultKey,
      counter,
      members: 1,
      update: payloadOf(counter),
      signer: vault.owner,
      random: nodeRandom,
    });
    counterOfRequest.set(session.send({ t: 'publish', env: encodeEnvelope(env) }), counter);
  }
  await withTimeout(
    new Promise<void>((resolve) => relay.child.once('exit', () => resolve())),
    20_000,
    'relay was not killed',
  );
  await killed;
  return acked;
}

test('SIGKILL right after acknowledging loses no acknowledged envelope', async () => {
  const allAcked = new Map<number, number>();
  let next = 1;
  for (const [count, killAfter] of [
    [400, 100],
    [400, 300],
    [200, 1],
  ] as const) {
    const acked = await publishUntilKilled(next, count, killAfter);
    expect(acked.size).toBeGreaterThanOrEqual(killAfter);
    for (const [counter, seq] of acked) allAcked.set(counter, seq);
    await relay.restart();
    const { head, envs } = await readVault(relay.url, vault.owner, vault.vaultId);
    // Contiguous from 1: whatever was committed is there in full, in order.
    expect(envs.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    const stored = new Map(envs.map((e) => [e.env.counter, e]));
    for (const [counter, seq] of allAcked) {
      const frame = stored.get(counter);
      if (!frame) throw new Error(`acknowledged envelope ${counter} (seq ${seq}) is missing`);
      expect(frame.seq).toBe(seq);
      expect(openEnvelope(decodeEnvelope(frame.env), vault.vaultKey)).toEqual(payloadOf(counter));
    }
    next = Math.max(...envs.map((e) => e.env.counter)) + 1;
  }
  expect(allAcked.size).toBeGreaterThanOrEqual(401);
});

test('after a snapshot pruned the log and a SIGKILL, head and replay floors survive', async () => {
  const pruned = await createTestVault();
  const seal = async (counter: number) =>
    encodeEnvelope(
      await sealEnvelope({
        vault: pruned.vaultId,
        vaultKey: pruned.vaultKey,
        counter,
        members: 1,
        update: payloadOf(counter),
        signer: pruned.owner,
        random: nodeRandom,
      }),
    );
  const first = await openRawSession(relay.url, pruned.owner);
  await first.session.request({ t: 'register', record: pruned.genesis });
  const old = await seal(3);
  for (const counter of [1, 2]) await first.session.request({ t: 'publish', env: await seal(counter) });
  await first.session.request({ t: 'publish', env: old });
  const snap = await sealSnapshot({
    vault: pruned.vaultId,
    vaultKey: pruned.vaultKey,
    seq: 3,
    content: { state: new Uint8Array(2), counters: {} },
    signer: pruned.owner,
    random: nodeRandom,
  });
  await first.session.request({ t: 'snapshot', snap: encodeSnapshot(snap) });
  await relay.kill('SIGKILL');
  await relay.restart();

  const second = await openRawSession(relay.url, pruned.owner);
  await expect(second.session.request({ t: 'publish', env: old })).rejects.toMatchObject({
    code: errorCodes.replayedCounter,
  });
  expect(await second.session.request({ t: 'publish', env: await seal(4) })).toMatchObject({ t: 'ack', seq: 4 });
  const { head, envs, frames } = await readVault(relay.url, pruned.owner, pruned.vaultId);
  expect(head).toBe(4);
  expect(frames.some((f) => f.t === 'snap')).toBe(true);
  expect(envs.map((e) => e.seq)).toEqual([4]);
  second.session.close();
  first.session.close();
});

// SQLite is one process's file; PostgreSQL is made to be shared by several relay nodes.
if (relaysUsePostgres()) {
  test('a second relay on the same database serves the same vault (a second node)', async () => {
    const second = await startRelayProcess({ database: relay.database ?? '' });
    try {
      const first = await readVault(relay.url, vault.owner, vault.vaultId);
      const other = await readVault(second.url, vault.owner, vault.vaultId);
      expect(other.head).toBe(first.head);
      expect(other.envs.map((e) => e.seq)).toEqual(first.envs.map((e) => e.seq));
    } finally {
      await second.kill();
      removeDataDir(second);
    }
  });
} else {
  test('a second relay on the same data dir refuses to start instead of sharing it', async () => {
    await expect(startRelayProcess({ dataDir: relay.dataDir })).rejects.toThrow(/another relay process is using/);
  });
}
