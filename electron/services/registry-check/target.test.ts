import { describe, expect, it } from 'vitest';
import type { RegistryTarget } from './target';
import { buildPingUrl, isLoopbackHost, planSchemes, resolveTarget } from './target';

function resolve(key: string): RegistryTarget {
  const resolution = resolveTarget(key);
  if (!resolution.ok) throw new Error(resolution.reason);
  return resolution.target;
}

describe('resolveTarget', () => {
  it.each(['https://index.docker.io/v1/', 'docker.io', 'index.docker.io', 'registry-1.docker.io'])(
    'checks Docker Hub key %s at registry-1.docker.io',
    (key) => {
      const target = resolve(key);
      expect(target).toMatchObject({ hostname: 'registry-1.docker.io', kind: 'docker-hub', loopback: false });
      expect(buildPingUrl(target, 'https').href).toBe('https://registry-1.docker.io/v2/');
    },
  );

  it('keeps host and port, lower-cased', () => {
    expect(resolve('Registry.Example.com:5000')).toMatchObject({
      authority: 'registry.example.com:5000',
      port: 5000,
      scheme: undefined,
      kind: 'other',
    });
  });

  it('keeps a written :443', () => {
    expect(resolve('registry.example.com:443')).toMatchObject({ authority: 'registry.example.com:443', port: 443 });
  });

  it('recognises the Docker Hub website and ECR hosts', () => {
    expect(resolve('hub.docker.com').kind).toBe('docker-hub-website');
    expect(resolve('123456789012.dkr.ecr.eu-west-1.amazonaws.com').kind).toBe('ecr');
    expect(resolve('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn').kind).toBe('ecr');
  });

  it('reads a written scheme', () => {
    expect(resolve('http://127.0.0.1:5000').scheme).toBe('http');
    expect(resolve('https://ghcr.io').scheme).toBe('https');
  });

  it('handles bracketed IPv6', () => {
    const target = resolve('[::1]:5000');
    expect(target).toMatchObject({ authority: '[::1]:5000', port: 5000, loopback: true });
    expect(buildPingUrl(target, 'http').href).toBe('http://[::1]:5000/v2/');
  });

  it.each([
    ['', 'empty'],
    ['registry.example.com/team/app', 'no path'],
    ['user@registry.example.com', 'username'],
    ['registry example.com', 'spaces'],
    ['ftp://registry.example.com', 'Only https:// and http://'],
    ['registry.example.com:99999', 'between 1 and 65535'],
    ['registry.example.com:0', 'between 1 and 65535'],
  ])('refuses %j', (key, reason) => {
    const resolution = resolveTarget(key);
    expect(resolution.ok).toBe(false);
    if (!resolution.ok) expect(resolution.reason).toContain(reason);
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.3.2.1', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(['10.0.0.1', '128.0.0.1', 'localhost.example.com', 'registry.example.com', '::2'])(
    '%s is not loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('planSchemes', () => {
  it('uses HTTPS only for a remote host', () => {
    expect(planSchemes({ target: resolve('registry.example.com'), plainHttpAllowed: false })).toEqual(['https']);
  });

  it('refuses http:// to a remote host unless it is marked insecure', () => {
    expect(planSchemes({ target: resolve('http://registry.example.com'), plainHttpAllowed: false })).toBeUndefined();
    expect(planSchemes({ target: resolve('http://registry.example.com'), plainHttpAllowed: true })).toEqual(['http']);
  });

  it('tries HTTPS, then plain HTTP, where plain HTTP is allowed', () => {
    expect(planSchemes({ target: resolve('127.0.0.1:5000'), plainHttpAllowed: true })).toEqual(['https', 'http']);
    expect(planSchemes({ target: resolve('https://127.0.0.1:5000'), plainHttpAllowed: true })).toEqual(['https']);
  });
});
