import { describe, expect, it } from 'vitest';
import {
  DOCKER_HUB_KEY,
  HUB_WEBSITE_HINT,
  displayRegistry,
  isSameRegistry,
  registryHostForApi,
  toRegistryKey,
} from './registry-key';

const HUB = DOCKER_HUB_KEY;

/** [input, expected key] */
const accepted: ReadonlyArray<readonly [string, string]> = [
  ['docker.io', HUB],
  ['index.docker.io', HUB],
  ['registry-1.docker.io', HUB],
  ['https://index.docker.io/v1/', HUB],
  ['https://index.docker.io/v1', HUB],
  ['index.docker.io/v1/', HUB],
  ['https://docker.io', HUB],
  ['https://registry-1.docker.io/v2/', HUB],
  ['DOCKER.IO', HUB],
  ['  docker.io  ', HUB],
  ['docker.io:443', HUB],
  ['https://index.docker.io:443/v1/', HUB],
  ['ghcr.io', 'ghcr.io'],
  ['GHCR.io', 'ghcr.io'],
  ['https://ghcr.io', 'ghcr.io'],
  ['https://ghcr.io/', 'ghcr.io'],
  ['ghcr.io/', 'ghcr.io'],
  ['ghcr.io/v2/', 'ghcr.io'],
  ['HTTPS://ghcr.io/V2', 'ghcr.io'],
  ['registry.gitlab.com', 'registry.gitlab.com'],
  ['gcr.io', 'gcr.io'],
  ['europe-west4-docker.pkg.dev', 'europe-west4-docker.pkg.dev'],
  ['123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
  ['myregistry.azurecr.io', 'myregistry.azurecr.io'],
  ['registry.example.com:5000', 'registry.example.com:5000'],
  ['https://registry.example.com:5000/v2/', 'registry.example.com:5000'],
  ['registry.example.com:443', 'registry.example.com'],
  ['https://registry.example.com:443', 'registry.example.com'],
  ['http://registry.example.com:80', 'registry.example.com'],
  ['http://registry.example.com:443', 'registry.example.com:443'],
  ['https://registry.example.com:80', 'registry.example.com:80'],
  ['registry.example.com:80', 'registry.example.com:80'],
  ['http://localhost:5000', 'localhost:5000'],
  ['localhost', 'localhost'],
  ['127.0.0.1:5000', '127.0.0.1:5000'],
  ['[::1]:5000', '[::1]:5000'],
  ['[FE80::1]', '[fe80::1]'],
  ['http://[::ffff:192.168.0.1]:8080/', '[::ffff:192.168.0.1]:8080'],
  ['xn--bcher-kva.example:5000', 'xn--bcher-kva.example:5000'],
  ['a'.repeat(63) + '.example.com', 'a'.repeat(63) + '.example.com'],
  ['my-registry.internal:65535', 'my-registry.internal:65535'],
  ['quay.io', 'quay.io'],
  ['\tharbor.acme.com\n', 'harbor.acme.com'],
];

/** [input, a fragment of the reason, the hint if one is expected] */
const refused: ReadonlyArray<readonly [string, string, string?]> = [
  ['hub.docker.com', 'website', HUB_WEBSITE_HINT],
  ['https://hub.docker.com/', 'website', HUB_WEBSITE_HINT],
  ['hub.docker.com/r/library/nginx', 'website', HUB_WEBSITE_HINT],
  ['ghcr.io/owner/repo', 'path', 'The registry is just the host, e.g. ghcr.io'],
  [
    'https://registry.example.com:5000/team/app',
    'path',
    'The registry is just the host, e.g. registry.example.com:5000',
  ],
  ['docker.io/library/nginx', 'path', 'The registry is just the host, e.g. docker.io'],
  ['ghcr.io//', 'path'],
  ['ghcr.io/v3/', 'path'],
  ['user:pw@ghcr.io', 'username or password', 'Put credentials in Username/Password.'],
  ['https://user@registry.example.com', 'username or password', 'Put credentials in Username/Password.'],
  ['https://user:pa/ss@registry.example.com', 'username or password', 'Put credentials in Username/Password.'],
  ['ghcr .io', 'spaces'],
  ['', 'Enter a registry URL'],
  ['   ', 'Enter a registry URL'],
  ['ftp://registry.example.com', 'Only https:// and http://'],
  ['docker://docker.io', 'Only https:// and http://'],
  ['https:/ghcr.io', 'scheme is malformed'],
  ['https://', 'no host'],
  ['https:///ghcr.io', 'no host'],
  [':5000', 'no host'],
  ['ghcr.io?x=1', 'query'],
  ['ghcr_io', 'only letters, digits'],
  ['regístry.example.com', 'Internationalized'],
  ['-registry.example.com', 'hyphen'],
  ['registry-.example.com', 'hyphen'],
  ['a'.repeat(64) + '.example.com', 'at most 63'],
  [Array.from({ length: 51 }, () => 'abcd').join('.'), 'at most 253'],
  ['registry..example.com', 'empty part'],
  ['registry.example.com.', 'empty part'],
  ['registry.example.com:0', 'between 1 and 65535'],
  ['registry.example.com:65536', 'between 1 and 65535'],
  ['registry.example.com:99999', 'between 1 and 65535'],
  ['registry.example.com:http', 'must be a number'],
  ['registry.example.com:', 'must be a number'],
  ['registry.example.com:05000', 'leading zeros'],
  ['256.1.1.1:5000', 'IPv4'],
  ['::1', 'brackets'],
  ['[::1', 'closing bracket'],
  ['[::g]:5000', 'not a valid IPv6'],
  ['[fe80::1%eth0]', 'not a valid IPv6'],
  ['[::1]x', 'Only a port'],
  ['[::1]:0', 'between 1 and 65535'],
];

describe('toRegistryKey accepts', () => {
  it.each(accepted)('%s → %s', (input, key) => {
    const result = toRegistryKey(input);
    expect(result).toMatchObject({ ok: true, key });
  });
});

describe('toRegistryKey refuses', () => {
  for (const [input, reason, hint] of refused) {
    it(JSON.stringify(input).slice(0, 60), () => {
      const result = toRegistryKey(input);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toContain(reason);
      if (hint !== undefined) expect(result.hint).toBe(hint);
    });
  }

  it('covers at least 40 inputs across both tables', () => {
    expect(accepted.length + refused.length).toBeGreaterThanOrEqual(40);
  });

  it('never echoes a password from user-info in the reason or hint', () => {
    const result = toRegistryKey('https://alice:s3cr3t-pw@registry.example.com');
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('does not mistake a digest reference for user-info', () => {
    const result = toRegistryKey('localhost:5000/app@sha256:abc');
    expect(result).toMatchObject({ ok: false, reason: 'A registry URL cannot contain a path.' });
  });
});

describe('toRegistryKey extras', () => {
  it('returns the display form with the key', () => {
    expect(toRegistryKey('index.docker.io')).toEqual({
      ok: true,
      key: HUB,
      display: 'docker.io',
      written: { scheme: undefined, host: 'index.docker.io', port: undefined, path: '' },
    });
    expect(toRegistryKey('ghcr.io')).toMatchObject({ ok: true, key: 'ghcr.io', display: 'ghcr.io' });
  });

  it('reports the scheme typed so the UI can offer to mark http:// registries insecure', () => {
    expect(toRegistryKey('http://localhost:5000')).toMatchObject({ written: { scheme: 'http', port: '5000' } });
    expect(toRegistryKey('HTTPS://ghcr.io')).toMatchObject({ written: { scheme: 'https' } });
    expect(toRegistryKey('ghcr.io')).toMatchObject({ written: { scheme: undefined } });
  });

  it('keys are fixed points, except an http:// registry on port 443', () => {
    // A key has no scheme, so `host:443` read back means https on its default port. Docker
    // needs `host:443` for plain http on 443 (it would try port 80 for `host`), so that one
    // key cannot survive a second normalization; entries compare stored keys verbatim.
    for (const [input, key] of accepted) {
      const again = toRegistryKey(key);
      if (input === 'http://registry.example.com:443') expect(again).toMatchObject({ key: 'registry.example.com' });
      else expect(again).toMatchObject({ ok: true, key });
    }
  });
});

describe('displayRegistry and registryHostForApi', () => {
  it('show Docker Hub as docker.io and reach its API at registry-1.docker.io', () => {
    expect(displayRegistry(HUB)).toBe('docker.io');
    expect(registryHostForApi(HUB)).toBe('registry-1.docker.io');
  });

  it('leave other keys unchanged', () => {
    expect(displayRegistry('registry.example.com:5000')).toBe('registry.example.com:5000');
    expect(registryHostForApi('[::1]:5000')).toBe('[::1]:5000');
  });

  it('isSameRegistry compares normalized keys', () => {
    expect(isSameRegistry('docker.io', 'https://index.docker.io/v1/')).toBe(true);
    expect(isSameRegistry('ghcr.io', 'GHCR.IO/')).toBe(true);
    expect(isSameRegistry('ghcr.io', 'gcr.io')).toBe(false);
    expect(isSameRegistry('hub.docker.com', 'hub.docker.com')).toBe(false);
  });
});
