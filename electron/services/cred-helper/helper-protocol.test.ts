// Protocol conformance of docker-credential-regvault: the built script (dist/helper, what `npm run build`
// makes) run as a process against the real channel in main's service. The renderer's side is a table of
// answers here; the e2e spec (tests/e2e/credential-helper.spec.ts) drives the real renderer with skopeo.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryClipboard } from '../fixtures/memory-clipboard';
import { createDockerHelperService, type DockerHelperService } from '../docker-helper';
import type { HelperAnswer, HelperQuestion } from './broker';

const script = resolve(import.meta.dirname, '../../../dist/helper/docker-credential-regvault.cjs');
const version = (
  JSON.parse(
    await import('node:fs').then((fs) =>
      fs.readFileSync(resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
    ),
  ) as { version: string }
).version;

type Run = Readonly<{ code: number | null; stdout: string }>;

/** Runs the helper like Docker does: action in argv, input on stdin, answer on stdout. */
function runHelper(dataDir: string, args: readonly string[], stdin: string | Buffer = ''): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env['PATH'], REGVAULT_DATA_DIR: dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // the helper may stop reading a huge input
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out).toString('utf8') }));
    child.stdin.end(stdin);
  });
}

let dataDir: string;
let helper: DockerHelperService;
let questions: HelperQuestion[];
let answerFor: (question: HelperQuestion) => HelperAnswer | null;

beforeEach(async () => {
  expect(existsSync(script), `${script} is missing: run npm run build first`).toBe(true);
  dataDir = await mkdtemp(join(tmpdir(), 'regvault-helper-'));
  questions = [];
  answerFor = () => ({ kind: 'not-found' });
  const context = {
    appName: 'Regvault',
    appVersion: version,
    home: dataDir,
    env: {},
    platform: process.platform,
    clipboard: memoryClipboard().clipboard,
  };
  helper = createDockerHelperService(context, { rendererDeadlineMs: 2_000 });
  helper.attachRenderer((question) => {
    questions.push(question);
    const answer = answerFor(question);
    if (answer !== null) queueMicrotask(() => helper.answer({ id: question.id, answer }));
    return true;
  });
  const started = await helper.start(dataDir);
  expect(started.ok).toBe(true);
});

afterEach(async () => {
  await helper.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('docker-credential-regvault speaks the credential-helper protocol', () => {
  it('get prints {ServerURL, Username, Secret} as the reference helpers do (Go escaping, one newline)', async () => {
    answerFor = (q) =>
      q.registry === '127.0.0.1:5000'
        ? { kind: 'credential', username: 'ci', secret: 'p<&>:"x' }
        : { kind: 'not-found' };
    const run = await runHelper(dataDir, ['get'], '127.0.0.1:5000\n');
    expect(run).toEqual({
      code: 0,
      stdout: '{"ServerURL":"127.0.0.1:5000","Username":"ci","Secret":"p\\u003c\\u0026\\u003e:\\"x"}\n',
    });
    expect(JSON.parse(run.stdout)).toEqual({ ServerURL: '127.0.0.1:5000', Username: 'ci', Secret: 'p<&>:"x' });
  });

  it('get asks with the Docker registry key, whatever form the server URL takes', async () => {
    await runHelper(dataDir, ['get'], 'https://index.docker.io/v1/');
    await runHelper(dataDir, ['get'], '  https://GHCR.io/v2/  \n');
    expect(questions.map((q) => [q.action, q.registry])).toEqual([
      ['get', 'https://index.docker.io/v1/'],
      ['get', 'ghcr.io'],
    ]);
  });

  it('an entry not served is "credentials not found in native keychain", exit 1 (clients then go on anonymously)', async () => {
    expect(await runHelper(dataDir, ['get'], 'quay.io')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
    });
  });

  it('locked: exit 1 at once with the message naming the registry', async () => {
    answerFor = () => ({ kind: 'locked' });
    expect(await runHelper(dataDir, ['get'], 'ghcr.io')).toEqual({
      code: 1,
      stdout: 'Regvault is locked: unlock it to use ghcr.io credentials\n',
    });
  });

  it('app not running (no channel): exit 1 with a message, without waiting', async () => {
    await helper.stop();
    const run = await runHelper(dataDir, ['get'], 'ghcr.io');
    expect(run).toEqual({
      code: 1,
      stdout: 'Regvault is not running: start it and unlock it to use ghcr.io credentials\n',
    });
    const neverStarted = await mkdtemp(join(tmpdir(), 'regvault-helper-none-'));
    expect((await runHelper(neverStarted, ['get'], 'ghcr.io')).code).toBe(1);
    await rm(neverStarted, { recursive: true, force: true });
  });

  it('a renderer that never answers ends in exit 1 with a message, and leaves no question behind', async () => {
    answerFor = () => null;
    const run = await runHelper(dataDir, ['get'], 'ghcr.io');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Regvault did not answer in time/);
    expect(helper.pending()).toBe(0);
  });

  it('list prints the served registries and usernames as a JSON object', async () => {
    answerFor = () => ({
      kind: 'list',
      items: [
        { registry: 'ghcr.io', username: 'octo' },
        { registry: '127.0.0.1:5000', username: 'ci' },
      ],
    });
    expect(await runHelper(dataDir, ['list'], 'unused')).toEqual({
      code: 0,
      stdout: '{"ghcr.io":"octo","127.0.0.1:5000":"ci"}\n',
    });
  });

  it('store sends the credential (field names case-insensitive, like Go) and prints nothing on success', async () => {
    answerFor = () => ({ kind: 'done' });
    const run = await runHelper(
      dataDir,
      ['store'],
      '{"serverurl":"https://ghcr.io","Username":"octo",\n"Secret":"tok"}',
    );
    expect(run).toEqual({ code: 0, stdout: '' });
    expect(questions).toMatchObject([{ action: 'store', registry: 'ghcr.io', username: 'octo', secret: 'tok' }]);
  });

  it('store refused (no vault chosen) prints the renderer’s message with exit 1', async () => {
    answerFor = () => ({ kind: 'refused', message: 'Regvault has no vault for docker login: choose one in Settings' });
    expect(await runHelper(dataDir, ['store'], '{"ServerURL":"ghcr.io","Username":"a","Secret":"b"}')).toEqual({
      code: 1,
      stdout: 'Regvault has no vault for docker login: choose one in Settings\n',
    });
  });

  it('erase prints nothing on success and "not found" for a registry that is not served', async () => {
    answerFor = (q) => (q.registry === 'ghcr.io' ? { kind: 'done' } : { kind: 'not-found' });
    expect(await runHelper(dataDir, ['erase'], 'ghcr.io\n')).toEqual({ code: 0, stdout: '' });
    expect(await runHelper(dataDir, ['erase'], 'quay.io')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
    });
  });

  it('version, --version, usage and an unknown action answer without the app', async () => {
    await helper.stop();
    const line = `docker-credential-regvault (regvault) ${version}\n`;
    expect(await runHelper(dataDir, ['version'])).toEqual({ code: 0, stdout: line });
    expect(await runHelper(dataDir, ['-v'])).toEqual({ code: 0, stdout: line });
    const usage = 'Usage: docker-credential-regvault <store|get|erase|list|version>\n';
    expect(await runHelper(dataDir, [])).toEqual({ code: 1, stdout: usage });
    expect(await runHelper(dataDir, ['get', 'extra'])).toEqual({ code: 1, stdout: usage });
    expect(await runHelper(dataDir, ['frobnicate'])).toEqual({
      code: 1,
      stdout: 'docker-credential-regvault: unknown action: frobnicate\n',
    });
  });

  it('malformed stdin is refused with the reference texts and never reaches the renderer', async () => {
    expect(await runHelper(dataDir, ['get'], '   \n')).toEqual({ code: 1, stdout: 'no credentials server URL\n' });
    expect(await runHelper(dataDir, ['erase'], '')).toEqual({ code: 1, stdout: 'no credentials server URL\n' });
    expect(await runHelper(dataDir, ['store'], '')).toEqual({ code: 1, stdout: 'EOF\n' });
    expect(await runHelper(dataDir, ['store'], '{"ServerURL": "ghcr.io", "Username": ')).toMatchObject({ code: 1 });
    expect(await runHelper(dataDir, ['store'], '["ghcr.io"]')).toMatchObject({ code: 1 });
    expect(await runHelper(dataDir, ['store'], '{"ServerURL":1,"Username":"a","Secret":"b"}')).toMatchObject({
      code: 1,
    });
    expect(await runHelper(dataDir, ['store'], '{"ServerURL":"ghcr.io","Secret":"b"}')).toEqual({
      code: 1,
      stdout: 'no credentials username\n',
    });
    expect(await runHelper(dataDir, ['store'], '{"Username":"a","Secret":"b"}')).toEqual({
      code: 1,
      stdout: 'no credentials server URL\n',
    });
    // Not a registry address at all: nothing to serve, and the renderer is not asked.
    expect(await runHelper(dataDir, ['get'], 'user@evil host')).toEqual({
      code: 1,
      stdout: 'credentials not found in native keychain\n',
    });
    expect(questions).toEqual([]);
  });

  it('huge input is refused without reading it all and without reaching the app', async () => {
    const run = await runHelper(dataDir, ['store'], Buffer.alloc(4 * 1024 * 1024, 'a'));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^input too large/);
    expect(questions).toEqual([]);
  });

  it('concurrent calls each get their own answer', async () => {
    answerFor = (q) => ({
      kind: 'credential',
      username: `user-${q.registry ?? ''}`,
      secret: `secret-${q.registry ?? ''}`,
    });
    const hosts = Array.from({ length: 16 }, (_, i) => `registry-${i}.example.com`);
    const runs = await Promise.all(hosts.map((host) => runHelper(dataDir, ['get'], host)));
    runs.forEach((run, i) => {
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        ServerURL: hosts[i],
        Username: `user-${hosts[i]}`,
        Secret: `secret-${hosts[i]}`,
      });
    });
    expect(helper.pending()).toBe(0);
  });
});
