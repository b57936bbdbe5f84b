// Runs every test runner (Vitest, then Playwright) even when one fails, and ends with the one
// line CI reads: "N passed, N failed", summed over both runners from their JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const reports = { unit: 'test-results/unit.json', e2e: 'test-results/e2e.json' };
// Written by the e2e global setup: which runtime the end-to-end specs drove (Electron or Chromium).
const runtimeNote = 'test-results/e2e-runtime.txt';
mkdirSync('test-results', { recursive: true });
for (const file of [...Object.values(reports), runtimeNote]) rmSync(file, { force: true });

const run = (args) => spawnSync('npx', args, { stdio: 'inherit', env: process.env }).status ?? 1;
const unitStatus = run(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports.unit}`]);
const e2eStatus = run(['playwright', 'test', '--config', 'tests/e2e/playwright.config.ts']);

// A test file that fails outside any test (an import error, a failing beforeAll) counts as one
// failure: its tests show only as skipped, and a red run must never read "0 failed".
function vitestCounts(file) {
  if (!existsSync(file)) return null;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const brokenFiles = report.testResults.filter(
    (suite) => suite.status === 'failed' && !suite.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

// Errors outside any test (global setup, a spec that does not load) count as failures too.
function playwrightCounts(file) {
  if (!existsSync(file)) return null;
  const { stats, errors = [] } = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected + errors.length, skipped: stats.skipped };
}

const counts = [vitestCounts(reports.unit), playwrightCounts(reports.e2e)];
// A runner that crashed before writing its report counts as one failure, never as silence.
const total = counts.reduce(
  (sum, c) =>
    c
      ? { passed: sum.passed + c.passed, failed: sum.failed + c.failed, skipped: sum.skipped + c.skipped }
      : { ...sum, failed: sum.failed + 1 },
  { passed: 0, failed: 0, skipped: 0 },
);
// A runner that exited non-zero for a reason its report does not count is still a failure.
if (total.failed === 0 && (unitStatus !== 0 || e2eStatus !== 0)) total.failed = 1;
const ok = unitStatus === 0 && e2eStatus === 0 && total.failed === 0 && total.passed > 0;
if (existsSync(runtimeNote)) console.log(readFileSync(runtimeNote, 'utf8').trim());
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
