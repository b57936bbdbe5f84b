import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin } from '../../../electron/services/registry-check';
import type { RunningRegistry } from './registry-server';
import { startRegistry } from './registry-server';

const secret = 'correct-horse-battery-staple';

describe('login check against docker-registry with htpasswd over plain HTTP', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: secret } });
  });

  afterAll(async () => {
    await registry.stop();
  });

  it('logs in with the right password', async () => {
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200, hint: '' });
    expect(result.message).toContain('Basic authentication over plain HTTP');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('accepts an explicit http:// key for a loopback host', async () => {
    const result = await checkLogin({ registry: `http://${registry.host}`, username: 'alice', secret });
    expect(result.code).toBe('ok');
  });

  it('reports a wrong password as unauthorized, with the seed advice and without the secret', async () => {
    const wrong = 'not-the-password-1234';
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret: wrong });
    expect(result).toMatchObject({ ok: false, code: 'unauthorized', status: 401 });
    expect(result.message).toContain(registry.host);
    expect(result.hint).toContain('Verify username is correct.');
    expect(result.hint).toContain('Check if password/token has expired');
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(Buffer.from(`alice:${wrong}`).toString('base64'));
  });

  it('reports an unknown user as unauthorized', async () => {
    const result = await checkLogin({ registry: registry.host, username: 'mallory', secret });
    expect(result.code).toBe('unauthorized');
  });
});

describe('login check against docker-registry without auth', () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'none' });
  });

  afterAll(async () => {
    await registry.stop();
  });

  it('says the registry is reachable but the credentials were not tested', async () => {
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200 });
    expect(result.message).toContain('without asking for credentials');
    expect(result.hint).toContain('verify authentication is working');
  });
});
