import { describe, expect, it } from 'vitest';
import { IllegalCounter, Outbox } from './engine-outbox';
import type { WireEnvelope } from './wire-records';

function envelope(counter: number): WireEnvelope {
  return {
    v: 1,
    vault: 'v',
    epoch: 0,
    author: 'me',
    counter,
    nonce: 'n',
    ciphertext: 'c',
    sig: 's',
  } as unknown as WireEnvelope;
}

function sealNext(outbox: Outbox, replaced: readonly number[] = []): WireEnvelope {
  const wire = envelope(outbox.nextCounter());
  outbox.sealed(wire.counter);
  outbox.queued(wire, replaced);
  return wire;
}

describe('Outbox', () => {
  it('counts unsealed, sealing and pending changes, and hands out counters one by one', () => {
    const outbox = new Outbox();
    outbox.queueUpdate(new Uint8Array([1]));
    outbox.queueUpdate(new Uint8Array([2]));
    expect(outbox.size).toBe(2);
    outbox.setSealing(true);
    const batch = outbox.takeBatch();
    expect(batch?.updates).toHaveLength(2);
    expect(outbox.takeBatch()).toBeNull();
    expect(outbox.size).toBe(1);
    sealNext(outbox);
    outbox.setSealing(false);
    expect([outbox.counter, outbox.size, outbox.allSealed]).toEqual([1, 1, true]);
    expect(() => outbox.sealed(3)).toThrow(IllegalCounter);
    expect(() => outbox.sealed(1)).toThrow(IllegalCounter);
  });

  it('a failed seal puts its batch back in front', () => {
    const outbox = new Outbox();
    outbox.queueUpdate(new Uint8Array([1]));
    const batch = outbox.takeBatch();
    if (!batch) throw new Error('no batch');
    outbox.queueUpdate(new Uint8Array([2]));
    outbox.returnBatch(batch);
    expect(outbox.takeBatch()?.updates.map((u) => u[0])).toEqual([1, 2]);
  });

  it('sends each pending envelope once per connection, in counter order, and resends after a drop', () => {
    const outbox = new Outbox();
    const [a, b] = [sealNext(outbox), sealNext(outbox)];
    expect(outbox.unsent(0)).toEqual([a, b]);
    outbox.sent(10, a.counter);
    expect(outbox.unsent(0)).toEqual([b]);
    expect(outbox.oldestInFlight()).toBe(10);
    outbox.connectionLost();
    expect(outbox.oldestInFlight()).toBeUndefined();
    expect(outbox.unsent(0)).toEqual([a, b]);
  });

  it('after a key rotation, envelopes of the old epoch are not sent but sealed again, each once', () => {
    const outbox = new Outbox();
    const [a, b] = [sealNext(outbox), sealNext(outbox)];
    expect(outbox.unsent(1)).toEqual([]);
    expect(outbox.stale(1)).toEqual([a, b]);
    expect(outbox.supersedeStale(a.counter)).toBe(true);
    expect(outbox.supersedeStale(a.counter)).toBe(false);
    expect(outbox.stale(1)).toEqual([b]);
    expect(outbox.unsent(0)).toEqual([b]);
    outbox.queueUpdate(new Uint8Array([1]));
    expect(outbox.takeBatch()?.replaced).toEqual([a.counter]);
  });

  it('an ack delivers its envelope; an answer to an unknown request is no publish', () => {
    const outbox = new Outbox();
    const a = sealNext(outbox);
    outbox.sent(1, a.counter);
    expect(outbox.answered(2)).toBeUndefined();
    expect(outbox.answered(1)).toBe(a.counter);
    outbox.acknowledged(a.counter);
    expect([outbox.size, outbox.pendingEnvelope(a.counter)]).toEqual([0, undefined]);
  });

  it('a catch-up serving our envelope back delivers it and never lets its counter be reused', () => {
    const outbox = new Outbox();
    outbox.restore(0, [envelope(2)]);
    expect(outbox.confirmedByCatchUp(2)).toBe(true);
    expect(outbox.confirmedByCatchUp(5)).toBe(false);
    expect([outbox.counter, outbox.size]).toEqual([5, 0]);
  });

  it('a claimed-but-unserved envelope is sealed again once, then refused', () => {
    const outbox = new Outbox();
    const a = sealNext(outbox);
    expect(outbox.supersede(a.counter, true)).toBe('reseal');
    expect(outbox.supersede(a.counter, true)).toBe('ignore');
    outbox.queueUpdate(new Uint8Array([1]));
    const batch = outbox.takeBatch();
    expect(batch?.replaced).toEqual([a.counter]);
    const b = sealNext(outbox, batch?.replaced ?? []);
    expect(outbox.pendingEnvelope(a.counter)).toBeUndefined();
    expect(outbox.supersede(b.counter, true)).toBe('refuse');
    expect(outbox.supersede(99, true)).toBe('ignore');
    const c = sealNext(outbox);
    expect(outbox.supersede(c.counter, false)).toBe('refuse');
  });
});
