// In-page probes for bench/entries-ui.ts. Each function is passed to `page.evaluate`, so it runs in the
// renderer's page and may use nothing from its module scope. Times are taken in the page
// (performance.now), not by polling from Node, so Playwright's retry intervals do not end up in them.

/** Times of one unlock, in page time: the click, the first data row in the DOM, the frame that shows it. */
export type UnlockTimes = Readonly<{ clickAt: number; rowAt: number; paintedAt: number; kdfMs: number | null }>;

/** Arms the unlock probe before the click: resolves `window.regvaultUnlockProbe` with `UnlockTimes`. */
export function armUnlockProbe(): void {
  const probe = new Promise<UnlockTimes>((resolve) => {
    let clickAt = 0;
    document.addEventListener('click', () => (clickAt ||= performance.now()), { capture: true, once: true });
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[role="row"][aria-rowindex="2"]')) return;
      observer.disconnect();
      const rowAt = performance.now();
      // The frame that shows the row: after the next animation frame's rendering steps.
      requestAnimationFrame(() =>
        setTimeout(() => {
          const kdf = performance.getEntriesByName('regvault:kdf', 'measure')[0];
          resolve({ clickAt, rowAt, paintedAt: performance.now(), kdfMs: kdf ? kdf.duration : null });
        }, 0),
      );
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  Object.assign(window, { regvaultUnlockProbe: probe });
}

/**
 * Per keystroke: input event → DOM updated. Svelte flushes in a microtask; a message-channel task runs
 * right after it. (A zero timeout does too, but nested timeouts are clamped to 4 ms, which was the floor of
 * the former figure.)
 */
export async function typeQuery([query, rounds]: readonly [string, number]): Promise<number[]> {
  const input = document.querySelector<HTMLInputElement>('input[aria-label="Search registries"]');
  if (!input) throw new Error('search box not found');
  const channel = new MessageChannel();
  const times: number[] = [];
  for (let round = 0; round <= rounds; round += 1) {
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((done) => setTimeout(done, 50));
    for (const char of query) {
      const start = performance.now();
      input.value += char;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // (inline, not a named helper: tsx would wrap a named function in a helper the page does not have)
      await new Promise<void>((done) => {
        channel.port1.onmessage = () => done();
        channel.port2.postMessage(null);
      });
      if (round > 0) times.push(performance.now() - start); // round 0 warms up
    }
  }
  input.value = '';
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await new Promise((done) => setTimeout(done, 50));
  return times;
}

type FieldMap = { get: (name: string) => unknown; set: (name: string, value: unknown) => void };
type BenchDoc = {
  getMap: (name: string) => {
    get: (id: string) => FieldMap;
    forEach: (visit: (fields: FieldMap, id: string) => void) => void;
  };
  transact: (change: () => void, origin: unknown) => void;
};

/**
 * A peer's edit of a visible entry, applied to the open vault's document in a transaction with a foreign
 * origin, as the sync engine applies a peer's update; timed until the row's username in the DOM shows it.
 * `window.regvaultBenchDoc` is the app's document, found through the debugger (see entries-ui.ts).
 */
export async function editRemotely([samples]: readonly [number]): Promise<number[]> {
  const doc = (window as unknown as { regvaultBenchDoc: BenchDoc }).regvaultBenchDoc;
  const entries = doc.getMap('entries');
  const idOfUsername = new Map<string, string>();
  entries.forEach((fields, id) => idOfUsername.set(String(fields.get('username')), id));
  const table = document.querySelector('[role="table"][aria-label="Registries"]');
  if (!table) throw new Error('registry table not found');
  const origin = { peer: 'bench' };
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const rows = table.querySelectorAll('[role="row"]:has([role="cell"])');
    const cell = rows[i % Math.min(8, rows.length)]?.querySelectorAll('[role="cell"]')[2];
    const shown = cell?.querySelector('.main');
    const before = shown?.textContent ?? '';
    const id = idOfUsername.get(before);
    if (!shown || id === undefined) throw new Error(`no entry for row username ${before}`);
    const username = `${before.replace(/~\d+$/, '')}~${i}`;
    const changed = new Promise<number>((resolve) => {
      const observer = new MutationObserver(() => {
        if (shown.textContent !== username) return;
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(table, { subtree: true, childList: true, characterData: true });
    });
    const start = performance.now();
    doc.transact(() => {
      const fields = entries.get(id);
      fields.set('username', username);
      fields.set('updatedAt', Date.now());
      fields.set('updatedBy', 'bench peer');
    }, origin);
    times.push((await changed) - start);
    idOfUsername.set(username, id);
    await new Promise((done) => setTimeout(done, 30)); // edits arrive spaced out, not in one burst
  }
  return times;
}
