import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_KEY } from '../registry/registry-key';
import type { Entry } from './entry';
import { buildSearchIndex, filterIndex, searchEntries, searchIndex, toSearchTerms } from './search';

function makeEntry(id: string, fields: Partial<Entry>): Entry {
  return {
    id,
    registry: 'registry.example.com',
    name: id,
    username: 'user',
    secret: 'SECRET-VALUE',
    secretUpdatedAt: 0,
    notes: '',
    pipelines: [],
    createdAt: 0,
    updatedAt: 0,
    createdBy: 'a',
    updatedBy: 'a',
    ...fields,
  };
}

const sample: readonly Entry[] = [
  makeEntry('hub', {
    registry: DOCKER_HUB_KEY,
    name: 'Docker Hub CI',
    username: 'acme-bot',
    pipelines: ['Build-Images'],
  }),
  makeEntry('ghcr', { registry: 'ghcr.io', name: 'GitHub packages', username: 'octocat', notes: 'Team packages' }),
  makeEntry('prod', {
    registry: 'registry.acme.com',
    name: 'Production',
    notes: 'production images',
    email: 'ops@acme.com',
  }),
];

function ids(entries: readonly Entry[]): string[] {
  return entries.map((e) => e.id);
}

describe('searchEntries', () => {
  it('matches every searchable field, case-insensitively', () => {
    expect(ids(searchEntries(sample, 'docker hub'))).toEqual(['hub']);
    expect(ids(searchEntries(sample, 'GHCR'))).toEqual(['ghcr']);
    expect(ids(searchEntries(sample, 'OCTOCAT'))).toEqual(['ghcr']);
    expect(ids(searchEntries(sample, 'production images'))).toEqual(['prod']);
    expect(ids(searchEntries(sample, 'build-images'))).toEqual(['hub']);
    expect(ids(searchEntries(sample, 'acme'))).toEqual(['hub', 'prod']);
  });

  it('finds Docker Hub by its display name and by its key', () => {
    expect(ids(searchEntries(sample, 'docker.io'))).toEqual(['hub']);
    expect(ids(searchEntries(sample, 'index.docker.io/v1'))).toEqual(['hub']);
  });

  it('requires every word (AND), in any order and any field', () => {
    expect(ids(searchEntries(sample, 'packages octocat'))).toEqual(['ghcr']);
    expect(ids(searchEntries(sample, 'packages acme'))).toEqual([]);
  });

  it('never searches secrets or emails, and does not match across field boundaries', () => {
    expect(searchEntries(sample, 'secret-value')).toEqual([]);
    expect(searchEntries(sample, 'ops@acme.com')).toEqual([]);
    expect(searchEntries(sample, 'ciacme')).toEqual([]);
  });

  it('an empty or blank query returns every entry', () => {
    expect(searchEntries(sample, '')).toEqual(sample);
    expect(searchEntries(sample, '  \t ')).toEqual(sample);
    expect(toSearchTerms('  Foo   BAR ')).toEqual(['foo', 'bar']);
  });

  it('searches 10,000 entries through one index', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) =>
      makeEntry(`e${i}`, {
        name: `Service ${i}`,
        registry: `registry-${i % 100}.example.com:5000`,
        username: i % 7 === 0 ? 'robot$deployer' : `user${i}`,
        notes: i % 1000 === 0 ? 'Rotated quarterly' : '',
        pipelines: i % 3 === 0 ? ['build', `deploy-${i % 2}`] : [],
      }),
    );
    const index = buildSearchIndex(entries);
    expect(index.haystacks).toHaveLength(10_000);

    expect(filterIndex(index, 'rotated QUARTERLY')).toHaveLength(10);
    expect(filterIndex(index, 'robot$deployer')).toHaveLength(Math.ceil(10_000 / 7));
    // registry-42.example.com holds entries 42, 142, …, 9942; every third of those lists `build`.
    const hits = filterIndex(index, 'registry-42.example build');
    const expected = entries.filter(
      (e) => e.registry === 'registry-42.example.com:5000' && e.pipelines.includes('build'),
    );
    expect(hits).toHaveLength(34);
    expect(ids(hits)).toEqual(ids(expected));
    expect(ids(filterIndex(index, 'service 9999'))).toEqual(['e9999']);
    expect(filterIndex(index, 'deploy-0 deploy-1')).toEqual([]);
    expect(filterIndex(index, 'deploy-1')).toHaveLength(Math.floor(10_000 / 6) + 1);
    expect(filterIndex(index, '')).toBe(entries);
  });
});

describe('searchIndex narrowing', () => {
  const entries = Array.from({ length: 500 }, (_, i) =>
    makeEntry(`e${i}`, { name: `Service ${i}`, notes: i % 3 === 0 ? 'nightly build' : 'release' }),
  );
  const index = buildSearchIndex(entries);

  it('gives, keystroke after keystroke, exactly what a fresh search gives', () => {
    // Forward typing narrows; deleting, replacing a word or adding one elsewhere must not reuse the wrong set.
    const queries = [
      's',
      'se',
      'service 1',
      'service 12',
      'service 1',
      'nightly service 1',
      'ice 1',
      'x',
      '',
      'build 4',
    ];
    let previous;
    for (const query of queries) {
      previous = searchIndex(index, query, previous);
      expect(ids(previous.entries), query).toEqual(ids(filterIndex(index, query)));
    }
  });

  it('starts afresh when the index changed (an entry was edited meanwhile)', () => {
    const first = searchIndex(index, 'service 4');
    const edited = buildSearchIndex([...entries, makeEntry('new', { name: 'Service 4 new' })]);
    expect(ids(searchIndex(edited, 'service 4 new', first).entries)).toEqual(['new']);
  });
});
