import { describe, expect, it } from 'vitest';
import type { DockerCredential } from './docker-config';
import { exportImagePullSecret } from './kube-secret';

// Reads back the flat YAML the exporter writes: `key: value` lines, two-space nesting.
function parseManifest(yaml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let section = '';
  for (const line of yaml.trimEnd().split('\n')) {
    const match = /^( {2})?([^:]+):(?: (.*))?$/.exec(line);
    if (!match) throw new Error(`unexpected line: ${line}`);
    const [, indent, key = '', value] = match;
    if (indent === undefined) section = key;
    if (value !== undefined) fields[indent === undefined ? key : `${section}.${key}`] = value;
  }
  return fields;
}

const ghcr: DockerCredential = {
  registry: 'https://ghcr.io',
  username: 'octocat',
  secret: 'ghp:to:ken',
  email: 'octo@example.com',
};
const hub: DockerCredential = { registry: 'docker.io', username: 'hubuser', secret: 'dckr_pat_x' };

describe('exportImagePullSecret', () => {
  it('produces a dockerconfigjson Secret that decodes back to the credentials', () => {
    const result = exportImagePullSecret([ghcr, hub], { name: 'regcred', namespace: 'ci' });
    if (!result.ok) throw new Error(result.error.message);
    const fields = parseManifest(result.value);
    expect(fields).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      'metadata.name': 'regcred',
      'metadata.namespace': 'ci',
      type: 'kubernetes.io/dockerconfigjson',
    });
    const payload = JSON.parse(
      Buffer.from(fields['data..dockerconfigjson'] ?? '', 'base64').toString('utf8'),
    ) as unknown;
    expect(payload).toEqual({
      auths: {
        'ghcr.io': {
          username: 'octocat',
          password: 'ghp:to:ken',
          auth: Buffer.from('octocat:ghp:to:ken').toString('base64'),
          email: 'octo@example.com',
        },
        'https://index.docker.io/v1/': {
          username: 'hubuser',
          password: 'dckr_pat_x',
          auth: Buffer.from('hubuser:dckr_pat_x').toString('base64'),
        },
      },
    });
  });

  it('leaves the namespace out when none is given', () => {
    const result = exportImagePullSecret([hub], { name: 'pull.docker-hub' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).not.toContain('namespace');
    expect(parseManifest(result.value)['metadata.name']).toBe('pull.docker-hub');
  });

  it('refuses names that are not DNS-1123 subdomains, bad namespaces and empty selections', () => {
    for (const name of ['RegCred', '-regcred', 'regcred-', 'reg_cred', 'a..b', '', 'x'.repeat(254), 'name: injected']) {
      expect(exportImagePullSecret([hub], { name })).toMatchObject({ ok: false, error: { code: 'invalid-entry' } });
    }
    expect(exportImagePullSecret([hub], { name: 'a'.repeat(63) + '.example' })).toMatchObject({ ok: true });
    expect(exportImagePullSecret([hub], { name: 'ok', namespace: 'team.a' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-entry' },
    });
    expect(exportImagePullSecret([], { name: 'ok' })).toMatchObject({ ok: false, error: { code: 'invalid-entry' } });
    expect(exportImagePullSecret([hub, { ...hub, registry: 'index.docker.io' }], { name: 'ok' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-entry' },
    });
  });
});
