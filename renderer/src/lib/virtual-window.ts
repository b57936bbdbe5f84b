/** The slice of a long list that is on screen, plus a few rows either side for smooth scrolling. */
export type VisibleWindow = Readonly<{ start: number; end: number; offsetTop: number; totalHeight: number }>;

/** Which rows to render for a scroll position: only what is visible, so 10,000 entries cost as much as 20. */
export function computeVisibleWindow(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 6,
): VisibleWindow {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const visible = Math.ceil(viewportHeight / rowHeight) + 2 * overscan;
  const end = Math.min(count, first + visible);
  return { start: first, end, offsetTop: first * rowHeight, totalHeight: count * rowHeight };
}
