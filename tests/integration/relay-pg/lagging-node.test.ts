// A relay node that has not heard (yet) what another node committed: a NOTIFY lost or late, a
// member record, an envelope or a snapshot it never read. Its clients must still get every envelope
// and ack exactly once, in sequence order, and an author's counters must keep rising with the
// sequence numbers. Nodes run in this process and hear nothing unless the test delivers it.
import { afterEach, expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import {
  deliveries,
  openNodes,
  publishOf,
  recordingConnection,
  request,
  rowOf,
  sealFor,
  vaultWith,
  type InProcessNode,
  until,
} from './in-process';

let closeNodes: () => Promise<void> = () => Promise.resolve();
afterEach(() => closeNodes());

async function twoNodes(): Promise<[InProcessNode, InProcessNode]> {
  const { nodes, close } = await openNodes(2);
  closeNodes = close;
  const [a, b] = nodes;
  if (!a || !b) throw new Error('nodes missing');
  return [a, b];
}

test('a writer pipelines two envelopes through a node that missed a member record: both stored, in order', async () => {
  const [a, b] = await twoNodes();
  const { vault, devices, addWriter } = await vaultWith(a.store, ['writer']);
  const [writer] = devices;
  if (!writer) throw new Error('no writer');
  const cached = await b.ctx.vaults.get(vault.vaultId);
  expect(cached?.records).toHaveLength(2);
  // Node A adds another member; B never hears of it. The writer still writes at position 2.
  await addWriter(a.store);
  const { conn, frames } = recordingConnection(writer);
  await request(b, conn, publishOf(1, await sealFor(vault, writer, 1, 2)));
  await request(b, conn, publishOf(2, await sealFor(vault, writer, 2, 2)));
  await b.ctx.queue.flushNow();

  // Before: the first was answered 5001 "the vault changed; retry" and the second stored ahead of it.
  expect(deliveries(frames)).toEqual(['ack 1', 'ack 2']);
  const stored = await a.store.envelopesAfter(vault.vaultId, 0, 10);
  expect(stored.map((row) => [row.seq, row.counter])).toEqual([
    [1, 1],
    [2, 2],
  ]);
  // B read the record it had missed, and its subscribers heard of it.
  expect(cached?.records).toHaveLength(3);
});

test('a counter another node stored and pruned behind a snapshot is not stored again through a lagging node', async () => {
  const [a, b] = await twoNodes();
  const { vault, devices } = await vaultWith(a.store, ['writer']);
  const [writer] = devices;
  if (!writer) throw new Error('no writer');
  // Node B loaded the vault before the writer wrote anything; it hears nothing afterwards.
  await b.ctx.vaults.get(vault.vaultId);
  const first = await sealFor(vault, writer, 1, 2);
  const second = await sealFor(vault, writer, 2, 2);
  const appended = await a.store.appendEnvelopes([rowOf(first), rowOf(second)], new Map([[vault.vaultId, 2]]));
  expect(appended).toEqual({ ok: true, seqs: [1, 2] });
  const snap = {
    vault: vault.vaultId,
    seq: 2,
    epoch: 0,
    author: rowOf(first).author,
    nonce: Buffer.alloc(24),
    ciphertext: Buffer.alloc(1),
    sig: Buffer.alloc(64),
  };
  expect(await a.store.storeSnapshot(snap)).toBe(true);

  // The writer failed over to B and resends its second envelope (its ack was lost with node A).
  const { conn, frames } = recordingConnection(writer);
  await request(b, conn, publishOf(1, second));
  await b.ctx.queue.flushNow();
  // Before: B stored counter 2 again at seq 3, after the snapshot that already holds it (4003 everywhere).
  expect((await a.store.positions([vault.vaultId]))[0]?.head).toBe(2);
  // The answer reads the store (is it the very same envelope?) after the commit refused it.
  await until(() => frames.length > 0);
  expect(deliveries(frames)).toEqual([`error ${errorCodes.replayedCounter}`]);
  // Its next counter is stored as usual (acknowledged once B has caught up with the snapshot).
  await request(b, conn, publishOf(2, await sealFor(vault, writer, 3, 2)));
  await b.ctx.queue.flushNow();
  expect((await a.store.positions([vault.vaultId]))[0]?.head).toBe(3);
});

test("another node's commit lands between this node's commit and its fan-out, its NOTIFY late: envelope first, then the ack", async () => {
  const [a, b] = await twoNodes();
  const { vault, devices } = await vaultWith(a.store, ['writer', 'writer']);
  const [left, right] = devices;
  if (!left || !right) throw new Error('no writers');
  const watcher = recordingConnection(vault.owner);
  await request(b, watcher.conn, { t: 'subscribe', id: 1, vault: vault.vaultId, from: 0, members: 3 });
  const publisher = recordingConnection(right);
  await request(b, publisher.conn, { t: 'subscribe', id: 1, vault: vault.vaultId, from: 0, members: 3 });

  // Node A commits an envelope of the left writer; B does not hear of it (the NOTIFY is late).
  const viaA = recordingConnection(left);
  await request(a, viaA.conn, publishOf(5, await sealFor(vault, left, 1, 3)));
  await a.ctx.queue.flushNow();
  expect(deliveries(viaA.frames)).toEqual(['ack 1']);
  // The right writer publishes through B: stored at 2, after A's envelope that B has not sent out yet.
  await request(b, publisher.conn, publishOf(2, await sealFor(vault, right, 1, 3)));
  await b.ctx.queue.flushNow();
  await until(() => deliveries(publisher.frames).length === 2);
  expect(deliveries(publisher.frames)).toEqual(['env 1', 'ack 2']);
  expect(deliveries(watcher.frames)).toEqual(['env 1', 'env 2']);

  // The late NOTIFY arrives: nothing goes out twice.
  const cached = b.ctx.vaults.peek(vault.vaultId);
  if (!cached) throw new Error('not cached');
  b.ctx.fanout.heard(cached, 1);
  await b.ctx.queue.flushNow();
  expect(deliveries(publisher.frames)).toEqual(['env 1', 'ack 2']);
  expect(deliveries(watcher.frames)).toEqual(['env 1', 'env 2']);
});

test('a client failing over to a node whose fan-out lags is answered with the committed head, members and envelopes', async () => {
  const [a, b] = await twoNodes();
  const { vault, devices, addWriter } = await vaultWith(a.store, ['writer']);
  const [writer] = devices;
  if (!writer) throw new Error('no writer');
  // B loaded the vault before anything below; it hears nothing afterwards.
  await b.ctx.vaults.get(vault.vaultId);
  const env = await sealFor(vault, writer, 1, 2);
  expect(await a.store.appendEnvelopes([rowOf(env)], new Map([[vault.vaultId, 2]]))).toEqual({ ok: true, seqs: [1] });
  await addWriter(a.store);

  // The owner saw seq 1 and 3 member records through node A, then failed over to B.
  const ahead = recordingConnection(vault.owner);
  await request(b, ahead.conn, { t: 'subscribe', id: 1, vault: vault.vaultId, from: 1, members: 3 });
  // Before: B answered with its own fan-out position (head 0, 2 records): the device reported a rollback (4001).
  expect(ahead.frames[0]).toMatchObject({ t: 'subscribed', head: 1, memberCount: 3, membersFrom: 3, members: [] });
  expect(deliveries(ahead.frames)).toEqual([]);

  // A device catching up from the start gets the envelope B has not fanned out yet, once.
  const fresh = recordingConnection(writer);
  await request(b, fresh.conn, { t: 'subscribe', id: 1, vault: vault.vaultId, from: 0, members: 2 });
  expect(fresh.frames[0]).toMatchObject({ t: 'subscribed', head: 1, memberCount: 3 });
  const cached = b.ctx.vaults.peek(vault.vaultId);
  if (!cached) throw new Error('not cached');
  b.ctx.fanout.heard(cached, 1);
  await until(() => cached.head === 1);
  expect(deliveries(fresh.frames)).toEqual(['env 1']);
  expect(deliveries(ahead.frames)).toEqual([]);
});
