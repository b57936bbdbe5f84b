// Interleavings picked by hand, step by step, where an engine's head, counter and queue could drift
// apart: an ack and another device's broadcast from one group commit, arriving in either order; a
// connection dropped while its publishes wait for the relay's commit; and the engine reconnecting and
// publishing again before that commit runs. The invariants of sim-invariants.ts are checked after
// every step as well.
import { afterEach, describe, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { contentOf, editDoc, opsOf } from '../../support/replicas';
import { createPrng } from '../../support/prng';
import type { SimReplica } from '../../support/sim/sim-devices';
import { commitChannel } from '../../support/sim/sim-relay';
import { createSimWorld, type SimWorld } from '../../support/sim/sim-world';

let world: SimWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(seed: number): Promise<{ w: SimWorld; d0: SimReplica; d1: SimReplica; d2: SimReplica }> {
  const w = await createSimWorld({ seed });
  world = w;
  const [d0, d1, d2] = w.replicas;
  if (!d0 || !d1 || !d2) throw new Error('three replicas expected');
  return { w, d0, d1, d2 };
}

const prng = createPrng(99);
const edit = (w: SimWorld, replica: SimReplica, tag: string) => w.act(() => editDoc(replica.doc, prng, tag));

/** The open connection of a replica (its name, `d1.2`), and the channels of both directions. */
function linkOf(w: SimWorld, replica: SimReplica) {
  const name = w.relay.openConnections().find((open) => open.startsWith(`${replica.device.id}.`));
  if (!name) throw new Error(`${replica.device.id} has no open connection`);
  return { name, up: `${name}>relay`, down: `relay>${name}` };
}

/** Delivers the head of `channel` (which must have one) and checks the invariants. */
async function deliver(w: SimWorld, channel: string): Promise<void> {
  await w.act(() => expect(w.scheduler.deliverFrom(channel), `${channel} is empty`).toBe(true));
}

async function deliverAll(w: SimWorld, channel: string): Promise<void> {
  while (w.scheduler.busy().includes(channel)) await deliver(w, channel);
}

/** Steps — deliveries other than the relay's commit, else timers — until `done()` holds. */
async function stepHoldingCommit(w: SimWorld, done: () => boolean): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i > 2000) throw new Error('condition not reached');
    const channel = w.scheduler.busy().find((busy) => busy !== commitChannel);
    if (channel) await deliver(w, channel);
    else await w.act(() => w.clock.fireNext());
  }
}

function relayCountersOf(w: SimWorld, replica: SimReplica): number[] {
  const me = encodeBase64(replica.device.publicKey);
  return [...w.relay.store.envelopesAfter(w.vaultId, 0)]
    .filter((row) => encodeBase64(row.author) === me)
    .map((row) => row.counter);
}

function expectConverged(w: SimWorld): void {
  const [first, ...others] = w.replicas;
  for (const replica of others) expect(contentOf(replica.doc)).toBe(contentOf(first?.doc ?? replica.doc));
  for (const replica of w.replicas) {
    expect(replica.engine().head()).toBe(w.relayHead());
    expect(replica.engine().pendingCount()).toBe(0);
  }
}

describe.each([
  ['d1', 'd2'],
  ['d2', 'd1'],
] as const)('one commit holds %s then %s', (firstId, secondId) => {
  test('ack and broadcast arrive in either order; head and queue stay consistent', async () => {
    const { w, d0, d1, d2 } = await setUp(31);
    const head = w.relayHead();
    const byId = { d1, d2 };
    const first = byId[firstId];
    const second = byId[secondId];
    await edit(w, d1, 'd1');
    await edit(w, d2, 'd2');
    expect([d1.engine().pendingCount(), d2.engine().pendingCount()]).toEqual([1, 1]);
    // Both publishes reach the relay before its commit: one group commit numbers them in arrival order.
    await deliverAll(w, linkOf(w, first).up);
    await deliverAll(w, linkOf(w, second).up);
    await deliver(w, commitChannel);
    expect(w.relayHead()).toBe(head + 2);
    // The first author's ack (head+1) comes before the second's envelope (head+2) on its connection; the
    // second sees the first's envelope before its own ack. Delivered one at a time, crosswise.
    await deliver(w, linkOf(w, second).down);
    expect([second.engine().head(), second.engine().pendingCount()]).toEqual([head + 1, 1]);
    await deliver(w, linkOf(w, first).down);
    expect([first.engine().head(), first.engine().pendingCount()]).toEqual([head + 1, 0]);
    await deliver(w, linkOf(w, second).down);
    expect([second.engine().head(), second.engine().pendingCount()]).toEqual([head + 2, 0]);
    expect(second.engine().status()).toBe('synced');
    await deliver(w, linkOf(w, first).down);
    expect(first.engine().head()).toBe(head + 2);
    await deliverAll(w, linkOf(w, d0).down);
    expect(d0.engine().head()).toBe(head + 2);
    await w.drain();
    expectConverged(w);
  });
});

test('a connection dropped while its publishes wait for the commit: the catch-up confirms them, nothing is sent twice', async () => {
  const { w, d1 } = await setUp(41);
  for (const tag of ['a', 'b', 'c']) await edit(w, d1, tag);
  expect(d1.engine().pendingCount()).toBe(3);
  const link = linkOf(w, d1);
  await deliverAll(w, link.up);
  expect(w.scheduler.busy()).toContain(commitChannel);
  await w.act(() => w.relay.drop(link.name));
  expect(d1.engine().status()).toEqual('offline');
  expect(d1.engine().pendingCount()).toBe(3);
  // The commit runs with the author gone: its acks are lost with the connection.
  await deliver(w, commitChannel);
  expect(relayCountersOf(w, d1)).toEqual([1, 2, 3]);
  const mark = w.scheduler.trace().length;
  await w.drain();
  expectConverged(w);
  expect(relayCountersOf(w, d1)).toEqual([1, 2, 3]);
  const after = w.scheduler.trace().slice(mark);
  expect(after.filter((line) => line.includes('"t":"publish"'))).toEqual([]);
  expect(after.some((line) => line.startsWith('relay>d1.2 {"t":"env"'))).toBe(true);
});

test('reconnected before the commit ran: the relay refuses the resend, the engine seals the edits again and loses none', async () => {
  const { w, d1 } = await setUp(51);
  for (const tag of ['a', 'b', 'c']) await edit(w, d1, tag);
  const link = linkOf(w, d1);
  await deliverAll(w, link.up);
  await w.act(() => w.relay.drop(link.name));
  // The relay has accepted counters 1–3 (its commit still waits) when d1 comes back and publishes them again.
  const refused = () =>
    w.scheduler.trace().some((line) => line.startsWith('relay>d1.2 {"t":"error"') && line.includes('"code":3002'));
  await stepHoldingCommit(w, refused);
  expect(w.scheduler.busy()).toContain(commitChannel);
  expect(relayCountersOf(w, d1)).toEqual([]);
  await w.drain();
  expectConverged(w);
  const counters = relayCountersOf(w, d1);
  // The originals are committed after all, and the edits sealed again under fresh counters follow them.
  expect(counters.slice(0, 3)).toEqual([1, 2, 3]);
  expect(counters.length).toBeGreaterThan(3);
  expect(d1.storage.peek().cursor?.counter).toBe(counters.at(-1));
  expect(opsOf(d1.doc)).toEqual(opsOf(w.replicas[0]?.doc ?? d1.doc));
});
