import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, listEntries, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import {
  computeSync,
  importRows,
  isNoop,
  planGroups,
  toCredential,
  type DockerView,
  type PlanSummary,
} from './docker-config-display';

function vaultOf(...inputs: { registry: string; username: string; secret: string; email?: string }[]): Entry[] {
  const doc = new Y.Doc();
  const ctx = createManualContext('test');
  for (const input of inputs) {
    const added = addEntry(doc, input, ctx);
    if (!added.ok) throw new Error(added.error.message);
  }
  return [...listEntries(doc).entries];
}

const file = { kind: 'file' } as const;
const emptyPlan: PlanSummary = {
  planId: 'p',
  path: '/c',
  added: [],
  changed: [],
  unchanged: [],
  removed: [],
  warnings: [],
};

function viewOf(entries: DockerView['entries']): DockerView {
  return { path: '/c', exists: true, entries, credHelpers: {} };
}

describe('computeSync', () => {
  const vault = vaultOf(
    { registry: 'ghcr.io', username: 'octocat', secret: 'a' },
    { registry: 'quay.io', username: 'org+robot', secret: 'b' },
    { registry: 'docker.io', username: 'acme', secret: 'c' },
    { registry: 'registry.gitlab.com', username: 'gl', secret: 'd' },
  );
  const [ghcr, quay, hub, gitlab] = ['ghcr.io', 'quay.io', 'https://index.docker.io/v1/', 'registry.gitlab.com'].map(
    (key) => vault.find((entry) => entry.registry === key),
  ) as [Entry, Entry, Entry, Entry];
  const view = viewOf([
    { registry: 'ghcr.io', key: 'ghcr.io', username: 'octocat', store: file, writtenByRegvault: true },
    { registry: 'quay.io', key: 'quay.io', username: 'org+robot', store: file, writtenByRegvault: false },
    {
      registry: 'registry.gitlab.com',
      key: 'registry.gitlab.com',
      username: 'someone-else',
      store: file,
      writtenByRegvault: false,
    },
  ]);

  it('takes the secret comparison from the plan of the whole vault', () => {
    const plan: PlanSummary = {
      ...emptyPlan,
      unchanged: [{ registry: 'ghcr.io', username: 'octocat', store: file }],
      changed: [{ registry: 'quay.io', username: 'org+robot', store: file }],
      added: [{ registry: hub.registry, username: 'acme', store: file }],
    };
    const sync = computeSync([ghcr, quay, hub, gitlab], view, plan);
    expect([...sync]).toEqual([
      [ghcr.id, 'in-config'],
      [quay.id, 'differs'],
      [hub.id, 'absent'],
      [gitlab.id, 'differs'],
    ]);
  });

  it('without a plan knows presence and usernames only', () => {
    const sync = computeSync([ghcr, hub, gitlab], view, null);
    expect([...sync.values()]).toEqual(['unknown', 'absent', 'differs']);
    expect([...computeSync([ghcr], null, null).values()]).toEqual(['absent']);
  });
});

describe('importRows', () => {
  it('marks logins whose registry key the vault already has, Docker Hub aliases included', () => {
    const entries = vaultOf({ registry: 'docker.io', username: 'acme', secret: 'x' });
    const rows = importRows(
      {
        path: '/c',
        entries: [
          { registry: 'https://index.docker.io/v1/', username: 'acme', secret: 'x' },
          { registry: 'ghcr.io', username: 'octocat', secret: 'y' },
        ],
        skipped: [],
      },
      entries,
    );
    expect(rows.map(({ label, duplicate }) => [label, duplicate])).toEqual([
      ['docker.io', true],
      ['ghcr.io', false],
    ]);
    expect(importRows(null, entries)).toEqual([]);
  });
});

describe('plans and credentials', () => {
  it('lists the four groups in order with where each secret goes', () => {
    const plan: PlanSummary = {
      ...emptyPlan,
      added: [
        { registry: 'https://index.docker.io/v1/', username: 'acme', store: { kind: 'helper', helper: 'osxkeychain' } },
      ],
      removed: [{ registry: 'quay.io', store: file }],
    };
    expect(planGroups(plan)).toEqual([
      {
        title: 'Added',
        lines: [
          {
            registry: 'https://index.docker.io/v1/',
            label: 'docker.io',
            username: 'acme',
            store: 'helper: osxkeychain',
          },
        ],
      },
      { title: 'Changed', lines: [] },
      { title: 'Unchanged', lines: [] },
      {
        title: 'Removed',
        lines: [{ registry: 'quay.io', label: 'quay.io', store: 'config.json (base64, unencrypted)' }],
      },
    ]);
    expect(isNoop(plan)).toBe(false);
    expect(isNoop({ ...emptyPlan, unchanged: plan.added })).toBe(true);
  });

  it('sends main only what Docker needs from an entry', () => {
    const vault = vaultOf(
      { registry: 'ghcr.io', username: 'octocat', secret: 's', email: 'o@example.com' },
      { registry: 'quay.io', username: 'q', secret: 't' },
    );
    const [withEmail, without] = ['ghcr.io', 'quay.io'].map((key) => vault.find((e) => e.registry === key)) as [
      Entry,
      Entry,
    ];
    expect(toCredential(withEmail)).toEqual({
      registry: 'ghcr.io',
      username: 'octocat',
      secret: 's',
      email: 'o@example.com',
    });
    expect(toCredential(without)).toEqual({ registry: 'quay.io', username: 'q', secret: 't' });
  });
});
