import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLogin } from '../../../electron/services/registry-check';
import type { CertificatePair } from './certificates';
import { createServerCertificate } from './certificates';
import type { RunningRegistry } from './registry-server';
import { startRegistry } from './registry-server';

const secret = 'tls-secret-5678';

describe('login check against docker-registry over TLS with a self-signed certificate', () => {
  let dir: string;
  let certificate: CertificatePair;
  let otherCertificate: CertificatePair;
  let registry: RunningRegistry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regvault-tls-'));
    certificate = await createServerCertificate(dir, 'registry', 'IP:127.0.0.1');
    otherCertificate = await createServerCertificate(dir, 'unrelated', 'IP:127.0.0.1');
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: secret }, tls: certificate });
  });

  afterAll(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('does not trust the self-signed certificate without its CA', async () => {
    const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
    expect(result).toMatchObject({ ok: false, code: 'tls-untrusted' });
    expect(result.status).toBeUndefined();
    expect(result.hint).toContain("Self-signed certificates need the registry's CA certificate");
  });

  it('does not trust it even when NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment', async () => {
    const before = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
    try {
      const result = await checkLogin({ registry: registry.host, username: 'alice', secret });
      expect(result).toMatchObject({ ok: false, code: 'tls-untrusted' });
    } finally {
      if (before === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
      else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = before;
    }
  });

  it('logs in over HTTPS once the CA certificate is given', async () => {
    const result = await checkLogin({
      registry: registry.host,
      username: 'alice',
      secret,
      caCertificate: certificate.cert,
    });
    expect(result).toMatchObject({ ok: true, code: 'ok', status: 200 });
    expect(result.message).toContain('Basic authentication (HTTP 200)');
  });

  it('still rejects a wrong password over HTTPS', async () => {
    const result = await checkLogin({
      registry: registry.host,
      username: 'alice',
      secret: 'wrong-password',
      caCertificate: certificate.cert,
    });
    expect(result).toMatchObject({ ok: false, code: 'unauthorized', status: 401 });
  });

  it('says so when the CA given is not the one that signed the registry', async () => {
    const result = await checkLogin({
      registry: registry.host,
      username: 'alice',
      secret,
      caCertificate: otherCertificate.cert,
    });
    expect(result.code).toBe('tls-untrusted');
    expect(result.hint).toContain('does not sign');
  });

  it('reports a host name the certificate does not cover', async () => {
    const result = await checkLogin({
      registry: `localhost:${registry.port}`,
      username: 'alice',
      secret,
      caCertificate: certificate.cert,
    });
    expect(result.code).toBe('tls-error');
    expect(result.message).toContain('does not name localhost');
    expect(result.hint).toContain('hostname the registry');
  });

  it('refuses a CA certificate that is not PEM before connecting', async () => {
    const result = await checkLogin({
      registry: registry.host,
      username: 'alice',
      secret,
      caCertificate: 'not a certificate',
    });
    expect(result.code).toBe('tls-error');
    expect(result.hint).toContain('PEM');
  });
});
