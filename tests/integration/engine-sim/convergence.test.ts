// Seeded interleavings of three real engines and the real relay code in one process (tests/support/sim):
// concurrent edits, bursts sealed as one envelope, dropped connections and reconnects, with every
// invariant of sim-invariants.ts checked after every step. After draining, every replica holds the
// same document with every edit, and the relay's log is contiguous.
import { afterEach, describe, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { contentOf, opsOf, vectorOf } from '../../support/replicas';
import { runRandomScript } from '../../support/sim/sim-script';
import { createSimWorld, type SimWorld } from '../../support/sim/sim-world';

let world: SimWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe.each([1, 2, 3, 4, 5, 6])('seed %i', (seed) => {
  test('three engines converge with every edit kept and a contiguous relay log', async () => {
    // Odd seeds write a snapshot every 8 envelopes: pruning and catch-up from a snapshot get exercised.
    world = await createSimWorld({ seed, engine: { snapshotEvery: seed % 2 ? 8 : 300 } });
    const edits = await runRandomScript(world, seed, { steps: 400 });
    await world.drain();

    const [first, ...others] = world.replicas;
    if (!first) throw new Error('no replica');
    expect(edits).toBeGreaterThan(50);
    expect(new Set(opsOf(first.doc)).size).toBe(edits);
    for (const replica of others) {
      expect(contentOf(replica.doc)).toBe(contentOf(first.doc));
      expect(vectorOf(replica.doc)).toBe(vectorOf(first.doc));
    }
    const head = world.relayHead();
    const snapshotSeq = world.relay.store.snapshotOf(world.vaultId)?.seq ?? 0;
    const seqs = [...world.relay.store.envelopesAfter(world.vaultId, 0)].map((row) => row.seq);
    expect(seqs).toEqual(Array.from({ length: head - snapshotSeq }, (_, i) => snapshotSeq + 1 + i));
    expect(snapshotSeq > 0).toBe(seed % 2 === 1);
    for (const replica of world.replicas) {
      expect(replica.engine().status()).toBe('synced');
      expect(replica.engine().head()).toBe(head);
      expect(replica.storage.peek().pending).toEqual([]);
      // Every counter the device used is on the relay (or behind its snapshot): no edit was dropped.
      const counter = replica.storage.peek().cursor?.counter ?? 0;
      const me = encodeBase64(replica.device.publicKey);
      const relayCounter = world.relay.store
        .authorCounters(world.vaultId)
        .find((row) => row.author.toString('base64') === me);
      expect(relayCounter?.counter ?? 0).toBe(counter);
    }
    world.check();
  });
});
