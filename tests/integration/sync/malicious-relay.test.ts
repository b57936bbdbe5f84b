// What a compromised relay (simulated by rewriting its frames on their way to one device) can and
// cannot do: forged or replayed envelopes change nothing and are reported; dropping an envelope
// (a gap), hiding the head (rollback) or rewriting the member log stop the device with an error.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes, type ErrorCode } from '../../../shared/sync/codes';
import { emptyMemberState, signMemberRecord } from '../../../shared/sync/members';
import { createTestVault, startLinkedClients, type RestartableClient } from './clients';
import { createMitm, type Frame } from './mitm';
import { opsOf } from '../../support/replicas';
import {
  connectNodeSocket,
  createTestDevice,
  removeDataDir,
  startRelayProcess,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type RelayProcess,
} from './harness';

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

/** Owner `victim` behind the MITM, `peer` connected directly; both synced. */
async function setup(): Promise<{
  victim: RestartableClient;
  peer: RestartableClient;
  mitm: ReturnType<typeof createMitm>;
}> {
  const mitm = createMitm();
  const vault = await createTestVault();
  const [victim, peer] = await startLinkedClients({
    relayUrl: relay.url,
    vault,
    extra: 1,
    connectFor: (id) => (id === 'c0' ? mitm.connect : connectNodeSocket),
  });
  if (!victim || !peer) throw new Error('clients missing');
  await waitSynced(peer.client.engine);
  peer.client.doc.getMap('entries').set('first', 'ok');
  await waitForDoc(victim.client.doc, () => victim.client.doc.getMap('entries').get('first') === 'ok');
  return { victim, peer, mitm };
}

const isError = (code: ErrorCode) => (s: unknown) =>
  typeof s === 'object' && s !== null && 'error' in s && (s as { error: { code: number } }).error.code === code;

const isFatal = (code: ErrorCode) => (s: unknown) => isError(code)(s) && (s as { fatal?: boolean }).fatal === true;

test('a forged envelope (ciphertext altered) is not applied and is reported', async () => {
  const { victim, peer, mitm } = await setup();
  mitm.state.rewrite = (frame) => {
    if (frame.t !== 'env') return undefined;
    const env = frame.env as Record<string, string>;
    const cipher = Buffer.from(env.ciphertext ?? '', 'base64');
    cipher[cipher.length - 1] = (cipher[cipher.length - 1] ?? 0) ^ 0x55;
    return JSON.stringify({ ...frame, env: { ...env, ciphertext: cipher.toString('base64') } });
  };
  const verified = victim.client.engine.head();
  peer.client.doc.getMap('entries').set('forged', 'should not arrive');
  await waitForStatus(victim.client.engine, isFatal(errorCodes.forgedEnvelope));
  expect(victim.client.doc.getMap('entries').has('forged')).toBe(false);
  // Fetched again, forged again: the device stops there; the head never moves past the failed envelope.
  expect(victim.client.engine.head()).toBe(verified);
  for (const c of [victim, peer]) await c.stop();
});

test('a replayed envelope under a new sequence number is not applied again and is reported', async () => {
  const { victim, peer, mitm } = await setup();
  let captured: unknown = null;
  mitm.state.rewrite = (frame) => {
    if (frame.t !== 'env') return undefined;
    if (!captured) {
      captured = frame.env;
      return undefined;
    }
    return JSON.stringify({ ...frame, env: captured });
  };
  const list = peer.client.doc.getMap<boolean>('ops');
  list.set('once', true);
  await waitForDoc(victim.client.doc, () => victim.client.doc.getMap('ops').size === 1);
  list.set('second', true);
  await waitForStatus(victim.client.engine, isError(errorCodes.forgedEnvelope));
  expect(opsOf(victim.client.doc)).toEqual(['once']);
  for (const c of [victim, peer]) await c.stop();
});

test('a dropped envelope (sequence gap) stops the device with 4002', async () => {
  const { victim, peer, mitm } = await setup();
  let dropped = false;
  mitm.state.rewrite = (frame) => {
    if (frame.t !== 'env' || dropped) return undefined;
    dropped = true;
    return null;
  };
  peer.client.doc.getMap('entries').set('dropped', '1');
  peer.client.doc.getMap('entries').set('after', '2');
  await waitForStatus(victim.client.engine, isError(errorCodes.sequenceGap));
  expect(victim.client.doc.getMap('entries').has('after')).toBe(false);
  for (const c of [victim, peer]) await c.stop();
});

test('a subscription answer with a lower head or a rewritten member log stops the device', async () => {
  // The relay sends only the member records after those the device holds (here: none after its two).
  const stranger = createTestDevice();
  const foreign = await signMemberRecord(
    emptyMemberState('vault-from-elsewhere-0'),
    { action: 'add', subject: stranger.publicKey, role: 'admin' },
    stranger,
  );
  for (const [code, rewrite] of [
    [errorCodes.rollbackDetected, (frame: Frame) => JSON.stringify({ ...frame, head: 0 })],
    [errorCodes.rollbackDetected, (frame: Frame) => JSON.stringify({ ...frame, memberCount: 1 })],
    [
      // A record that does not chain onto the verified log (another vault's, re-numbered).
      errorCodes.badMemberLog,
      (frame: Frame) => JSON.stringify({ ...frame, members: [{ ...foreign, index: 2 }], memberCount: 3 }),
    ],
    [
      // Records the device did not ask for, in place of the ones it holds.
      errorCodes.badMemberLog,
      (frame: Frame) => JSON.stringify({ ...frame, membersFrom: 1, members: [foreign], memberCount: 2 }),
    ],
  ] as const) {
    const { victim, peer, mitm } = await setup();
    mitm.state.rewrite = (frame) => (frame.t === 'subscribed' ? rewrite(frame) : undefined);
    // Reconnect the victim so it subscribes again through the rewriting relay.
    await victim.restart();
    await waitForStatus(victim.client.engine, isError(code));
    for (const c of [victim, peer]) await c.stop();
  }
});

test('an envelope that fails verification once is fetched again, never skipped', async () => {
  const { victim, peer, mitm } = await setup();
  let corrupted = false;
  mitm.state.rewrite = (frame) => {
    if (frame.t !== 'env' || corrupted) return undefined;
    corrupted = true;
    const env = frame.env as Record<string, string>;
    return JSON.stringify({ ...frame, env: { ...env, sig: Buffer.alloc(64, 7).toString('base64') } });
  };
  peer.client.doc.getMap('entries').set('flaky', 'arrives');
  peer.client.doc.getMap('entries').set('next', 'arrives too');
  await waitForDoc(victim.client.doc, () => victim.client.doc.getMap('entries').get('next') === 'arrives too');
  expect(corrupted).toBe(true);
  expect(victim.client.doc.getMap('entries').get('flaky')).toBe('arrives');
  await waitSynced(victim.client.engine);
  expect(victim.client.engine.head()).toBe(peer.client.engine.head());
  for (const c of [victim, peer]) await c.stop();
});

test('a fake "already stored" answer to a publish the relay never saw does not lose the edit', async () => {
  for (const answer of [
    (id: unknown) => ({ t: 'ack', id, seq: 1, dup: true }),
    (id: unknown) => ({ t: 'error', id, code: errorCodes.replayedCounter, message: 'counter is not above' }),
  ]) {
    const { victim, peer, mitm } = await setup();
    let swallowed = false;
    mitm.state.intercept = (frame, inject) => {
      if (frame.t !== 'publish' || swallowed) return false;
      swallowed = true;
      inject(answer(frame.id));
      return true;
    };
    victim.client.doc.getMap('entries').set('kept', 'yes');
    await waitForDoc(peer.client.doc, () => peer.client.doc.getMap('entries').get('kept') === 'yes');
    expect(swallowed).toBe(true);
    await waitSynced(victim.client.engine);
    expect(victim.client.engine.pendingCount()).toBe(0);
    for (const c of [victim, peer]) await c.stop();
  }
});
