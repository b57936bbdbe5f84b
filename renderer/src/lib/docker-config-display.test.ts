import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addEntry, listEntries, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import { importRows, isNoop, planGroups, toCredential, type PlanSummary } from './docker-config-display';

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
