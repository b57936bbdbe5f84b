import { ESLint } from 'eslint';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
    ['relay/bad.ts', "import { createHandlers } from '../electron/ipc/handlers';\nexport const h = createHandlers;"],
    ['relay/bad.ts', "import { AppState } from '../renderer/src/lib/app-state.svelte';\nexport const s = AppState;"],
    ['electron/bad.ts', "import { AppState } from '../renderer/src/lib/app-state.svelte';\nexport const s = AppState;"],
    ['electron/bad.ts', "import { startRelay } from '../relay/server';\nexport const r = startRelay;"],
    ['tests/e2e/bad.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['agent/bad.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['agent/bad.ts', "import { createHandlers } from '../electron/ipc/handlers';\nexport const h = createHandlers;"],
    ['agent/bad.ts', "import { startRelay } from '../relay/server';\nexport const r = startRelay;"],
    ['agent/bad.ts', "import { AppState } from '../renderer/src/lib/app-state.svelte';\nexport const s = AppState;"],
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
    [
      'agent/ok.ts',
      "import { checkLogin } from '../electron/services/registry-check';\nimport { createSyncEngine } from '../shared/sync/engine';\nimport { createEd25519Verifier } from '../relay/ed25519';\nexport const x = [checkLogin, createSyncEngine, createEd25519Verifier];",
    ],
  ])('%s allows its own runtime', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });

  it('an import cycle fails lint, through any number of modules', async () => {
    // Real files in a throw-away folder inside the tree, so the resolver follows the imports.
    const dir = await mkdtemp(join(root, 'shared/cycle-probe-'));
    try {
      await writeFile(join(dir, 'a.ts'), "import { b } from './b';\nexport const a = (): number => b() + 1;\n");
      await writeFile(join(dir, 'b.ts'), "import { one } from './c';\nexport const b = (): number => one;\n");
      await writeFile(join(dir, 'c.ts'), "import { a } from './a';\nexport const one = 1;\nexport const c = a;\n");
      const results = await eslint.lintFiles([join(dir, 'a.ts')]);
      const cycles = results.flatMap((r) => r.messages).filter((m) => m.ruleId === 'import-x/no-cycle');
      expect(cycles.map((m) => m.message)).toEqual([expect.stringContaining('Dependency cycle')]);
      const acyclic = await eslint.lintText("import { b } from './b';\nexport const d = b;\n", {
        filePath: join(dir, 'd.ts'),
      });
      expect(acyclic[0]?.messages.filter((m) => m.ruleId === 'import-x/no-cycle')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
