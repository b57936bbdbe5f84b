import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY, readDockerKey, toRegistryKey } from './registry-key';

/** The key in lenient mode, or null when the input names no registry. */
function normalizeRegistryKey(input: string): string | null {
  const read = readDockerKey(input);
  return read.ok ? read.key : null;
}

describe('readDockerKey: keys Docker wrote, read leniently', () => {
  it('folds every Docker Hub spelling into the key Docker uses', () => {
    for (const input of [
      'docker.io',
      'index.docker.io',
      'registry-1.docker.io',
      'https://index.docker.io/v1/',
      'HTTPS://Docker.IO',
      'docker.io:443',
    ]) {
      expect(normalizeRegistryKey(input)).toBe(DOCKER_HUB_KEY);
    }
  });

  it('strips scheme and path, lower-cases the host and keeps only non-default ports', () => {
    expect(normalizeRegistryKey('https://ghcr.io')).toBe('ghcr.io');
    expect(normalizeRegistryKey('GHCR.io/owner/image')).toBe('ghcr.io');
    expect(normalizeRegistryKey('http://host:5000')).toBe('host:5000');
    expect(normalizeRegistryKey('https://registry.example.com:443/v2/')).toBe('registry.example.com');
    expect(normalizeRegistryKey('[::1]:5000')).toBe('[::1]:5000');
  });

  it('reads what the entry form refuses but Docker writes or tolerates, the way Docker reads it', () => {
    for (const [input, key] of [
      ['registry.example.com/team/app', 'registry.example.com'],
      ['https://ghcr.io/v1/', 'ghcr.io'],
      ['hub.docker.com', 'hub.docker.com'],
      ['http://host.local:443', 'host.local:443'],
      ['http://host.local:80', 'host.local'],
    ] as const) {
      expect(normalizeRegistryKey(input)).toBe(key);
    }
    // The strict mode (what a person types into Add Registry) refuses the first and the third.
    expect(toRegistryKey('registry.example.com/team/app').ok).toBe(false);
    expect(toRegistryKey('hub.docker.com').ok).toBe(false);
  });

  it('returns null for what is not a registry address', () => {
    for (const input of [
      '',
      '   ',
      'user@ghcr.io',
      'https://user:pw@ghcr.io',
      'ghcr io',
      'host:99999',
      'host:0',
      '.example.com',
      'a..b',
      'ex_ample.com',
    ]) {
      expect(normalizeRegistryKey(input)).toBeNull();
    }
  });
});
