import { describe, expect, it } from 'vitest';
import { IllegalHeadMove, Position } from './engine-position';

describe('Position', () => {
  it('moves the head only to head+1 and raises the author floor', () => {
    const position = new Position();
    position.applied(1, 'a', 1);
    position.applied(2, 'a', 2);
    expect(position.head).toBe(2);
    expect(position.counterOf('a')).toBe(2);
    expect(() => position.applied(4, 'a', 3)).toThrow(IllegalHeadMove);
    expect(() => position.applied(2, 'a', 3)).toThrow(IllegalHeadMove);
    expect(position.head).toBe(2);
  });

  it('never lowers an author floor (an old ack after a snapshot raised it)', () => {
    const position = new Position();
    position.raiseFloor('a', 5);
    position.applied(1, 'a', 3);
    expect(position.counterOf('a')).toBe(5);
  });

  it('jumps forward to a snapshot, never back or in place', () => {
    const position = new Position();
    position.jumpToSnapshot(10);
    expect([position.head, position.snapshotSeq]).toEqual([10, 10]);
    expect(() => position.jumpToSnapshot(10)).toThrow(IllegalHeadMove);
    expect(() => position.jumpToSnapshot(3)).toThrow(IllegalHeadMove);
    position.snapshotStored(4);
    expect(position.snapshotSeq).toBe(10);
  });

  it('restores from a cursor and starts at zero without one', () => {
    const position = new Position();
    const vector = new Uint8Array([1]);
    position.restore({ head: 7, counter: 2, snapshotSeq: 5, authors: { a: 3 }, members: [], vector });
    expect([position.head, position.snapshotSeq, position.counterOf('a'), position.vector]).toEqual([7, 5, 3, vector]);
    expect(position.counters()).toEqual({ a: 3 });
    position.restore(null);
    expect([position.head, position.snapshotSeq, position.counterOf('a'), position.vector]).toEqual([0, 0, 0, null]);
  });
});
