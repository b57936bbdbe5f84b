import { ESLint } from 'eslint';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

// The project's own lint config, with type-aware rules off so virtual files can be linted.
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('runtime boundaries are enforced by npm run check', () => {
  it.each([
    ['shared/x/bad.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;"],
    ['shared/x/bad.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['shared/x/bad.ts', "import Dexie from 'dexie';\nexport const d = Dexie;"],
    ['renderer/src/bad.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;"],
    ['renderer/src/bad.ts', "import { join } from 'node:path';\nexport const j = join;"],
    [
      'renderer/src/bad.ts',
      "import { createHandlers } from '../../electron/ipc/handlers';\nexport const h = createHandlers;",
    ],
    ['relay/bad.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['tests/e2e/bad.ts', "import { app } from 'electron';\nexport const a = app;"],
  ])('%s refuses: %s', async (file, code) => {
    expect(await importErrors(file, code)).toHaveLength(1);
  });

  it.each([
    [
      'electron/x.ts',
      "import { app } from 'electron';\nimport { readFileSync } from 'node:fs';\nexport const a = [app, readFileSync];",
    ],
    ['renderer/src/ok.ts', "import { channels } from '../../shared/ipc/contract';\nexport const c = channels;"],
    ['renderer/src/ok.ts', "import { sealRecord } from '../../shared/crypto/seal';\nexport const s = sealRecord;"],
    ['relay/ok.ts', "import { createServer } from 'node:http';\nexport const s = createServer;"],
  ])('%s allows its own runtime', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });

  it('shared/ is type-checked without DOM or Node globals', async () => {
    const config = ts.readConfigFile(join(root, 'shared/tsconfig.json'), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(root, 'shared'));
    const dir = await mkdtemp(join(tmpdir(), 'regvault-boundary-'));
    const file = join(dir, 'bad.ts');
    await writeFile(
      file,
      'export const a = document.title;\nexport const b = Buffer.from("x");\nexport const c = process.env;\n',
    );
    const program = ts.createProgram([file], { ...parsed.options, composite: false, noEmit: true, typeRoots: [] });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(messages.some((m) => m.includes("Cannot find name 'document'"))).toBe(true);
    expect(messages.some((m) => m.includes("Cannot find name 'Buffer'"))).toBe(true);
    expect(messages.some((m) => m.includes("Cannot find name 'process'"))).toBe(true);
  });
});
