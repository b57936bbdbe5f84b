// What a compromised relay (simulated by rewriting its frames on their way to one device) can and
// cannot do: forged or replayed envelopes change nothing and are reported; dropping an envelope
// (a gap), hiding the head (rollback) or rewriting the member log stop the device with an error.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes, type ErrorCode } from '../../../shared/sync/codes';
import type { ConnectSocket } from '../../../shared/sync/ports';
import { createTestVault, startLinkedClients, type RestartableClient } from './clients';
import {
  connectNodeSocket,
  removeDataDir,
  startRelayProcess,
  waitForDoc,
  waitForStatus,
  waitSynced,
  type RelayProcess,
} from './harness';

type Frame = Record<string, unknown> & { t: string };
/** Returns the frame text to deliver, null to drop it, or undefined to pass it unchanged. */
type Rewrite = (frame: Frame) => string | null | undefined;

let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
});

function createMitm() {
  const state: { rewrite: Rewrite | null } = { rewrite: null };
  const connect: ConnectSocket = (url, handlers) =>
    connectNodeSocket(url, {
      ...handlers,
      onMessage: (data) => {
        const rewrite = state.rewrite;
        if (!rewrite || typeof data !== 'string') return handlers.onMessage(data);
        const out = rewrite(JSON.parse(data) as Frame);
        if (out === null) return;
        handlers.onMessage(out ?? data);
      },
    });
  return { state, connect };
}

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

test('a forged envelope (ciphertext altered) is not applied and is reported', async () => {
  const { victim, peer, mitm } = await setup();
  mitm.state.rewrite = (frame) => {
    if (frame.t !== 'env') return undefined;
    const env = frame.env as Record<string, string>;
    const cipher = Buffer.from(env.ciphertext ?? '', 'base64');
    cipher[cipher.length - 1] = (cipher[cipher.length - 1] ?? 0) ^ 0x55;
    return JSON.stringify({ ...frame, env: { ...env, ciphertext: cipher.toString('base64') } });
  };
  peer.client.doc.getMap('entries').set('forged', 'should not arrive');
  await waitForStatus(victim.client.engine, isError(errorCodes.forgedEnvelope));
  expect(victim.client.doc.getMap('entries').has('forged')).toBe(false);
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
  const list = peer.client.doc.getArray<string>('ops');
  list.push(['once']);
  await waitForDoc(victim.client.doc, () => victim.client.doc.getArray('ops').length === 1);
  list.push(['second']);
  await waitForStatus(victim.client.engine, isError(errorCodes.forgedEnvelope));
  expect(victim.client.doc.getArray('ops').toArray()).toEqual(['once']);
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
  for (const [code, rewrite] of [
    [errorCodes.rollbackDetected, (frame: Frame) => JSON.stringify({ ...frame, head: 0 })],
    [
      errorCodes.rollbackDetected,
      (frame: Frame) => JSON.stringify({ ...frame, members: (frame.members as unknown[]).slice(0, 1) }),
    ],
    [
      errorCodes.badMemberLog,
      (frame: Frame) => {
        const members = frame.members as Record<string, unknown>[];
        return JSON.stringify({ ...frame, members: [members[0], { ...members[1], role: 'reader' }] });
      },
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
