import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin } from '../../../electron/services/registry-check';
import type { RunningRegistry } from './registry-server';
import { startRegistry } from './registry-server';
import type { TokenSigner } from './registry-token';
import { createTokenSigner } from './registry-token';
import type { RunningTokenServer } from './token-server';
import { startTokenServer } from './token-server';

const service = 'regvault-test-registry';
const issuer = 'regvault-test-issuer';
const secret = 'token-flow-secret-9012';

describe('login check against docker-registry with token auth (Bearer flow)', () => {
  let dir: string;
  let trusted: TokenSigner;
  let rogue: TokenSigner;
  let tokens: RunningTokenServer;
  let registry: RunningRegistry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regvault-token-'));
    trusted = await createTokenSigner(dir, 'trusted');
    rogue = await createTokenSigner(dir, 'rogue');
    tokens = await startTokenServer({ users: { alice: secret }, issuer, service, signer: trusted });
    registry = await startRegistry({
      auth: 'token',
      token: { realm: tokens.realm, service, issuer, rootCertBundle: trusted.root.cert },
    });
  });

  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gets a token with the credentials and logs in with it', async () => {
    const before = tokens.requests.length;
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200 });
    expect(result.message).toContain('with a token from 127.0.0.1');
    expect(tokens.requests.slice(before)).toEqual([
      { service, scope: null, account: 'alice', user: 'alice', granted: true },
    ]);
  });

  it('reads an OAuth2-style access_token as well', async () => {
    tokens.useField('access_token');
    try {
      const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
      expect(result.code).toBe('ok');
    } finally {
      tokens.useField('token');
    }
  });

  it('reports unauthorized when the token service refuses the credentials', async () => {
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret: 'wrong-secret-3456' });
    expect(result).toMatchObject({ ok: false, code: 'unauthorized', status: 401 });
    expect(result.message).toContain('token service');
    expect(result.hint).toContain('Verify username is correct.');
    expect(JSON.stringify(result)).not.toContain('wrong-secret-3456');
  });

  it('reports unauthorized when the registry rejects the token (signed outside its root bundle)', async () => {
    tokens.useSigner(rogue);
    try {
      const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
      expect(result).toMatchObject({ ok: false, code: 'unauthorized', status: 401 });
      expect(result.message).toContain(`${registry.host} rejected the token`);
    } finally {
      tokens.useSigner(trusted);
    }
  });
});
