// One registry-key rule (shared/registry): the same inputs through every caller — entries,
// docker config (plan and import) and the login check — must name the same registry.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry } from '../../shared/entries/entry-create';
import { createManualContext } from '../../shared/entries/test-context';
import { DOCKER_HUB_KEY, registryHostForApi } from '../../shared/registry/registry-key';
import { listEntries, type LoadedConfig } from '../../electron/services/docker-config/config-file';
import { validateCredentials } from '../../electron/services/docker-config/plan';
import { resolveTarget } from '../../electron/services/registry-check/target';

/** Inputs a person types (or Docker wrote) and the key every caller must agree on; null = refused. */
const table: ReadonlyArray<readonly [string, string | null]> = [
  ['docker.io', DOCKER_HUB_KEY],
  ['index.docker.io', DOCKER_HUB_KEY],
  ['registry-1.docker.io', DOCKER_HUB_KEY],
  ['https://index.docker.io/v1/', DOCKER_HUB_KEY],
  ['HTTPS://Docker.IO', DOCKER_HUB_KEY],
  ['docker.io:443', DOCKER_HUB_KEY],
  ['ghcr.io', 'ghcr.io'],
  ['https://ghcr.io/', 'ghcr.io'],
  ['GHCR.IO', 'ghcr.io'],
  ['registry.example.com:443', 'registry.example.com'],
  ['https://registry.example.com:443/v2/', 'registry.example.com'],
  ['registry.example.com:5000', 'registry.example.com:5000'],
  ['http://registry.example.com:80', 'registry.example.com'],
  ['http://127.0.0.1:5000', '127.0.0.1:5000'],
  ['[::1]:5000', '[::1]:5000'],
  ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
  ['', null],
  ['ghcr io', null],
  ['user@ghcr.io', null],
  ['https://user:pw@ghcr.io', null],
  ['registry.example.com:0', null],
  ['registry.example.com:99999', null],
  ['ex_ample.com', null],
  ['ftp://registry.example.com', null],
];

function entryKey(input: string): string | null {
  const added = addEntry(new Y.Doc(), { registry: input, username: 'u', secret: 's' }, createManualContext('t'));
  return added.ok ? added.value.registry : null;
}

function planKey(input: string): string | null {
  const planned = validateCredentials([{ registry: input, username: 'u', secret: 's' }]);
  return planned.ok ? (planned.value[0]?.registry ?? null) : null;
}

function importKey(input: string): string | null {
  const config: LoadedConfig = {
    path: 'x',
    text: null,
    digest: null,
    raw: {},
    auths: { [input]: {} },
    credHelpers: {},
  };
  return listEntries(config)[0]?.registry ?? null;
}

function loginHost(input: string): string | null {
  const resolved = resolveTarget(input);
  return resolved.ok ? resolved.target.hostname : null;
}

describe('every caller reads a registry the same way', () => {
  it.each(table)('%j', (input, key) => {
    expect(entryKey(input)).toBe(key);
    expect(planKey(input)).toBe(key);
    if (key === null) {
      expect(loginHost(input)).toBeNull();
      return;
    }
    expect(importKey(input)).toBe(key);
    // The login check goes to the host that serves that key's /v2/ (Docker Hub: registry-1.docker.io).
    const apiHost = registryHostForApi(key).replace(/:\d+$/, '');
    expect(loginHost(input)).toBe(apiHost);
  });

  it('keys Docker writes that a person may not type are read leniently by docker config only', () => {
    expect(entryKey('registry.example.com/team/app')).toBeNull();
    expect(planKey('registry.example.com/team/app')).toBeNull();
    expect(importKey('registry.example.com/team/app')).toBe('registry.example.com');
    expect(entryKey('hub.docker.com')).toBeNull();
    expect(importKey('hub.docker.com')).toBe('hub.docker.com');
  });
});
