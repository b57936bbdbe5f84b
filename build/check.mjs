// `npm run check`: ESLint and Prettier in one lane, the type-checkers in another, both at once (the
// machines have two cores; one after another a cold check takes about a minute). Each step's
// output is printed whole when it ends; the exit code is non-zero if any step failed.
import { spawn } from 'node:child_process';

// Balanced by CPU time measured cold on a fresh clone: ESLint (without the type-aware rules, which run in
// npm test) + Prettier ≈ tsc + svelte-check.
const lanes = [
  ['lint', 'format:check'],
  ['typecheck', 'svelte-check'],
];

/** Runs one npm script, buffering its output so two lanes never interleave line by line. */
function runScript(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '-s', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const verdict = code === 0 ? 'ok' : `FAILED (exit ${code})`;
      process.stdout.write(
        `── ${name}: ${verdict} in ${seconds} s\n${output}${output.endsWith('\n') || !output ? '' : '\n'}`,
      );
      resolve(code === 0);
    });
  });
}

async function runLane(scripts) {
  const failed = [];
  for (const name of scripts) if (!(await runScript(name))) failed.push(name);
  return failed;
}

const failed = (await Promise.all(lanes.map(runLane))).flat();
if (failed.length > 0) {
  console.error(`npm run check failed: ${failed.join(', ')}. Fix those, then run it again.`);
  process.exit(1);
}
console.log('npm run check: lint, format, types and svelte-check all clean.');
