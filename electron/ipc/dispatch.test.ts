import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOGIN_CHECK_CODES } from '../../shared/registry/login-check-codes';
import { memoryClipboard } from '../services/fixtures/memory-clipboard';
import { createDispatch } from './dispatch';
import { createHandlers } from './handlers';

const origin = 'app://regvault';
const trusted = { url: `${origin}/index.html`, isMainFrame: true };

async function realDispatch() {
  const home = await mkdtemp(join(tmpdir(), 'regvault-dispatch-'));
  const { clipboard } = memoryClipboard();
  const handlers = createHandlers({
    appName: 'Regvault',
    appVersion: '1.2.3',
    home,
    env: {},
    platform: 'linux',
    clipboard,
  });
  return { home, dispatch: createDispatch(handlers, origin) };
}

describe('the real handler table behind the dispatcher', () => {
  it('answers a well-formed app:info', async () => {
    const { home, dispatch } = await realDispatch();
    const result = await dispatch('app:info', undefined, trusted);
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Regvault',
        version: '1.2.3',
        platform: 'linux',
        dockerConfigPath: join(home, '.docker', 'config.json'),
      },
    });
  });

  it('refuses malformed input with a typed bad-request error', async () => {
    const { dispatch } = await realDispatch();
    for (const input of [{}, 'x', 42, null, ['a']]) {
      const result = await dispatch('app:info', input, trusted);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('bad-request');
        expect(result.error.message).toContain('app:info');
      }
    }
  });

  it('refuses unknown channels, including prototype names', async () => {
    const { dispatch } = await realDispatch();
    for (const name of ['fs:read', 'constructor', '__proto__', 'toString']) {
      expect(await dispatch(name, undefined, trusted)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('refuses senders that are not our main frame', async () => {
    const { dispatch } = await realDispatch();
    for (const sender of [
      { url: `${origin}/index.html`, isMainFrame: false },
      { url: 'https://evil.example/index.html', isMainFrame: true },
      { url: 'not a url', isMainFrame: true },
      { url: '', isMainFrame: true },
    ]) {
      expect(await dispatch('app:info', undefined, sender)).toMatchObject({
        ok: false,
        error: { code: 'untrusted-sender' },
      });
    }
  });

  it('turns a throwing handler into an internal error without leaking its message', async () => {
    const lines: string[] = [];
    const dispatch = createDispatch(
      {
        'app:info': () => {
          throw new Error('secret hunter2');
        },
        'clipboard:copy-secret': () => ({ ok: true, value: { clearsInMs: 0 } }),
        'clipboard:clear-secret': () => ({ ok: true, value: { cleared: false } }),
        'registry:check-login': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'registry:check-access': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:read': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:plan': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:compare': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:apply': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:import': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:kube-secret': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'refresh:run': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'refresh:approve': () => ({ ok: true, value: { approved: false } }),
        'refresh:forget': () => ({ ok: true, value: {} }),
        'reminder:notify': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'reminder:badge': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:answer': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:status': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:install': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:save': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:choose-folder': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:write-auto': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
      },
      origin,
      (line) => lines.push(line),
    );
    const result = await dispatch('app:info', undefined, trusted);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('rejects a handler answer that breaks the contract', async () => {
    const dispatch = createDispatch(
      {
        'app:info': () => ({ ok: true, value: { name: 1 } as never }),
        'clipboard:copy-secret': () => ({ ok: true, value: { clearsInMs: 0 } }),
        'clipboard:clear-secret': () => ({ ok: true, value: { cleared: false } }),
        'registry:check-login': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'registry:check-access': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:read': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:plan': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:compare': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:apply': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:import': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'docker:kube-secret': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'refresh:run': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'refresh:approve': () => ({ ok: true, value: { approved: false } }),
        'refresh:forget': () => ({ ok: true, value: {} }),
        'reminder:notify': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'reminder:badge': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:answer': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:status': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'helper:install': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:save': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:choose-folder': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
        'backup:write-auto': () => ({ ok: false, error: { code: 'x', message: 'x' } }),
      },
      origin,
    );
    expect(await dispatch('app:info', undefined, trusted)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

function plainHandlers() {
  const { clipboard } = memoryClipboard();
  return createHandlers({ appName: 'R', appVersion: '1', home: '/h', env: {}, platform: 'linux', clipboard });
}

describe('answers', () => {
  it('type login-check codes: a code the docs do not list breaks the contract', async () => {
    const handlers = plainHandlers();
    const verdict = { ok: false, status: 401, message: 'm', hint: 'h', durationMs: 1 };
    const answering = (code: string) =>
      createDispatch(
        { ...handlers, 'registry:check-login': () => ({ ok: true, value: { ...verdict, code } as never }) },
        origin,
      );
    const input = { registry: 'reg.example.com', username: 'u', secret: 's' };
    for (const code of LOGIN_CHECK_CODES) {
      expect(await answering(code)('registry:check-login', input, trusted)).toMatchObject({
        ok: true,
        value: { code },
      });
    }
    const unknown = await answering('UNAUTHORIZED')('registry:check-login', input, trusted);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('carry only what the contract declares', async () => {
    const handlers = plainHandlers();
    const leaky = {
      ...handlers,
      'app:info': () => ({
        ok: true as const,
        value: { name: 'R', version: '1', platform: 'linux' as const, dockerConfigPath: '/x', secret: 'hunter2' },
      }),
    };
    const result = await createDispatch(leaky, origin)('app:info', undefined, trusted);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('the trusted sender', () => {
  it('is recognized by origin, not by prefix', async () => {
    const { dispatch } = await realDispatch();
    const lookalike = await dispatch('app:info', undefined, { url: 'app://regvault.evil/x', isMainFrame: true });
    expect(lookalike).toMatchObject({ ok: false, error: { code: 'untrusted-sender' } });
    const deep = await dispatch('app:info', undefined, { url: 'app://regvault/deep/page.html#x', isMainFrame: true });
    expect(deep.ok).toBe(true);
  });
});
