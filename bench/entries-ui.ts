// Entries UI benchmark (issue #4): in real Chromium with the built renderer, a vault of 10,000 entries:
//   unlockToFirstRowMs   click "Unlock" → first entry row visible (KDF + decrypt + build doc + first render)
//   kdfMs                Argon2id alone in the same browser, so the rest can be read off
//   renderedRows         how many rows the DOM holds (only the visible ones should be rendered)
//   searchKeystrokeMs    per keystroke: input event → DOM updated (Svelte flush), p50 / p95 / max (target < 16 ms)
// JSON to stdout, progress to stderr. Needs `npm run build` first (npm run bench does it).
import { build } from 'esbuild';
import { join } from 'node:path';
import { launchRegvault } from '../tests/e2e/harness';

const COUNT = Number(process.env['BENCH_ENTRIES'] ?? 10_000);
const PASSPHRASE = 'correct horse battery staple';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) * 100) / 100;
}

const bundle = await build({
  entryPoints: [join(import.meta.dirname, 'seed-browser.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  target: 'chrome120',
  logLevel: 'silent',
});
const app = await launchRegvault();
try {
  const page = app.page;
  await page.evaluate(bundle.outputFiles[0]?.text ?? ''); // CDP evaluation: the page's CSP (rightly) blocks inline scripts
  process.stderr.write(`entries-ui: seeding ${COUNT} entries…\n`);
  const added = await page.evaluate(
    ([pass, count]) =>
      (window as unknown as { regvaultBench: { seed: (p: string, n: number) => Promise<number> } }).regvaultBench.seed(
        pass,
        count,
      ),
    [PASSPHRASE, COUNT] as const,
  );
  await page.reload();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  const start = Date.now();
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('row').nth(1).waitFor({ timeout: 120_000 });
  const unlockToFirstRowMs = Date.now() - start;
  const renderedRows = await page.getByRole('row').count();

  await page.evaluate(bundle.outputFiles[0]?.text ?? ''); // CDP evaluation: the page's CSP (rightly) blocks inline scripts
  const kdfMs = await page.evaluate(() =>
    (window as unknown as { regvaultBench: { measureKdf: () => Promise<number> } }).regvaultBench.measureKdf(),
  );

  const keystrokes = await page.evaluate(async (query) => {
    const input = document.querySelector<HTMLInputElement>('input[aria-label="Search registries"]');
    if (!input) throw new Error('search box not found');
    const times: number[] = [];
    for (const round of [0, 1, 2]) {
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((done) => setTimeout(done, 50));
      for (const char of query) {
        const start = performance.now();
        input.value += char;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        // Svelte flushes its updates in a microtask; a zero timeout runs after them.
        await new Promise((done) => setTimeout(done, 0));
        if (round > 0) times.push(performance.now() - start);
      }
    }
    return times;
  }, 'credential 4242');
  const visibleAfterSearch = await page.getByRole('row').count();

  process.stdout.write(
    `${JSON.stringify(
      {
        entries: added,
        unlockToFirstRowMs,
        kdfMs: Math.round(kdfMs),
        unlockToFirstRowExcludingKdfMs: Math.round(unlockToFirstRowMs - kdfMs),
        renderedRows,
        rowsAfterSearch: visibleAfterSearch,
        searchKeystrokeMs: {
          p50: percentile(keystrokes, 0.5),
          p95: percentile(keystrokes, 0.95),
          max: percentile(keystrokes, 1),
          samples: keystrokes.length,
        },
        target: { searchKeystrokeMs: 16 },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await app.close();
}
