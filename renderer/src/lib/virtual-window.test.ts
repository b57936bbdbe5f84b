import { describe, expect, it } from 'vitest';
import { computeVisibleWindow } from './virtual-window';

describe('computeVisibleWindow', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = computeVisibleWindow(10_000, 50, 5_000, 500, 5);
    expect(w).toEqual({ start: 95, end: 115, offsetTop: 4_750, totalHeight: 500_000 });
  });
  it('clamps at both ends', () => {
    expect(computeVisibleWindow(3, 50, 0, 500, 5)).toMatchObject({ start: 0, end: 3 });
    expect(computeVisibleWindow(100, 50, 1e9, 500, 5).end).toBe(100);
    expect(computeVisibleWindow(0, 50, 0, 500)).toMatchObject({ start: 0, end: 0, totalHeight: 0 });
  });
});
