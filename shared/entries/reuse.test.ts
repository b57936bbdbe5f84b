import { describe, expect, it } from 'vitest';
import { findReuse, reuseKey, type ReuseItem } from './reuse';

const item = (vaultId: string, entryId: string, registry: string, username: string, digest: string): ReuseItem => ({
  vaultId,
  entryId,
  registry,
  username,
  digest,
});

describe('secret reuse', () => {
  it('finds the same secret in two vaults, on both entries, whatever the username', () => {
    const found = findReuse([
      item('prod', 'a', 'ghcr.io', 'ci', 'D1'),
      item('staging', 'b', 'ghcr.io', 'deploy', 'D1'),
      item('staging', 'c', 'quay.io', 'ci', 'D2'),
    ]);
    expect(found.get(reuseKey('prod', 'a'))).toEqual({ otherVaults: ['staging'], sameLoginRegistries: [] });
    expect(found.get(reuseKey('staging', 'b'))).toEqual({ otherVaults: ['prod'], sameLoginRegistries: [] });
    expect(found.has(reuseKey('staging', 'c'))).toBe(false);
  });

  it('notes the same username and secret on two registries of one vault, not another username', () => {
    const found = findReuse([
      item('v', 'a', 'ghcr.io', 'ci', 'D1'),
      item('v', 'b', 'registry.gitlab.com', 'ci', 'D1'),
      item('v', 'c', 'quay.io', 'other', 'D1'),
    ]);
    expect(found.get(reuseKey('v', 'a'))).toEqual({ otherVaults: [], sameLoginRegistries: ['registry.gitlab.com'] });
    expect(found.get(reuseKey('v', 'b'))).toEqual({ otherVaults: [], sameLoginRegistries: ['ghcr.io'] });
    expect(found.has(reuseKey('v', 'c'))).toBe(false);
  });
});
