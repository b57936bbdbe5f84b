// The type-aware lint rules (eslint.typed.config.js) over the whole tree: out of `npm run check` for
// its speed, so they are enforced here. Each problem is listed with file, line and rule.
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

it('has no floating promise and no unused component prop', { timeout: 300_000 }, async () => {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.typed.config.js') });
  const results = await eslint.lintFiles(['.']);
  const problems = results.flatMap((result) =>
    result.messages.map((m) => `${result.filePath.slice(root.length + 1)}:${m.line} ${m.ruleId ?? ''} ${m.message}`),
  );
  expect(results.length).toBeGreaterThan(100);
  expect(problems).toEqual([]);
});

it('catches a floating promise in a module and in a component', { timeout: 300_000 }, async () => {
  const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.typed.config.js') });
  const script = 'async function save(): Promise<void> {}\nexport function click(): void {\n  save();\n}\n';
  const cases = [
    { filePath: 'shared/result.ts', code: script },
    { filePath: 'renderer/src/App.svelte', code: `<script lang="ts">\n${script.replace('export ', '')}</script>\n` },
  ];
  for (const { filePath, code } of cases) {
    const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
    expect(
      result?.messages.map((m) => m.ruleId),
      filePath,
    ).toContain('@typescript-eslint/no-floating-promises');
  }
});
