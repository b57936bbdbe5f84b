// Refresh commands in the renderer (issue #17), compiled as runes, over the real bridge to main's handlers with
// fake aws / az / gcloud on PATH: a command runs only from this device's sealed settings and only once allowed;
// a command that arrives in the synced document (a crafted remote edit) never runs.
import 'fake-indexeddb/auto';
import { flushSync } from 'svelte';
import { afterAll, afterEach, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getEntriesMap } from '../../../../shared/entries';
import { valueOf } from '../../../../shared/test-result';
import { removeDockerTestEnvs } from '../../../../electron/services/fixtures/docker-config-env';
import { AWS_ARGV, ECR, HOUR, refreshProfile } from '../../../../tests/support/refresh-profile';
import type { VaultView } from '../vault-view.svelte';
import { onEntryUse } from '../insights/entry-use-events';

const cleanups: (() => unknown)[] = [];
afterAll(removeDockerTestEnvs);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session() {
  const made = await refreshProfile(['Personal'], cleanups);
  cleanups.push(made.refresh.start());
  return made;
}

function addEcr(view: VaultView): string {
  const added = view.add({ registry: ECR, name: 'ECR prod', secret: 'first-token', presetId: 'ecr' });
  flushSync();
  return valueOf(added).id;
}

/** A teammate's edit of the open vault's document, applied as sync applies it. */
function remoteEdit(view: VaultView, change: (remote: Y.Doc) => void): void {
  const doc = (view as unknown as { open: { doc: Y.Doc } }).open.doc;
  const remote = new Y.Doc();
  Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(remote);
  remote.transact(() => change(remote));
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, before), 'remote');
  flushSync();
}

/** A teammate's edit, crafted to carry a command in every shape the document could hold one. */
function craftRemoteCommand(view: VaultView, id: string): void {
  remoteEdit(view, (remote) => {
    const entry = getEntriesMap(remote).get(id) as Y.Map<unknown>;
    entry.set('refreshCommand', AWS_ARGV);
    entry.set('argv', AWS_ARGV);
    entry.set('approvedArgv', AWS_ARGV);
    entry.set('refresh', { argv: AWS_ARGV, approvedArgv: AWS_ARGV, lifetimeMs: 1 });
    remote
      .getMap('settings')
      .set('refreshCommands', [{ vaultId: view.currentId, entryId: id, argv: AWS_ARGV, approvedArgv: AWS_ARGV }]);
  });
}

it('never runs a command that arrives in the synced document', async () => {
  const { view, refresh, clouds, sent } = await session();
  const id = addEcr(view);
  craftRemoteCommand(view, id);
  const entry = view.byId(id);
  expect(entry).toBeDefined();
  expect(refresh.refresher.commandOf(id)).toBeUndefined();
  expect(entry && refresh.refresher.dueAt(entry)).toBeUndefined();
  expect(await refresh.refresher.refresh(id)).toMatchObject({ ok: false, error: { code: 'no-command' } });
  expect(sent.map((s) => s.channel)).not.toContain('refresh:run');
  expect(await clouds.runs('aws')).toEqual([]);
});

it('runs a stored command only after this exact argument vector was allowed, then saves the token as an edit', async () => {
  const { view, refresh, clouds, sent } = await session();
  const id = addEcr(view);
  const vaultId = view.currentId ?? '';
  valueOf(await refresh.commands.set(vaultId, id, { argv: AWS_ARGV, lifetimeMs: 12 * HOUR }));
  expect(await refresh.refresher.refresh(id)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
  // Allowed, then changed: the approval does not carry over to another command.
  const other = [...AWS_ARGV.slice(0, 4), 'us-east-1'];
  valueOf(await refresh.commands.set(vaultId, id, { argv: other, approvedArgv: AWS_ARGV }));
  expect(await refresh.refresher.refresh(id)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
  expect(await clouds.runs('aws')).toEqual([]);
  expect(sent.map((s) => s.channel)).not.toContain('refresh:run');

  valueOf(await refresh.commands.set(vaultId, id, { argv: AWS_ARGV, approvedArgv: AWS_ARGV, lifetimeMs: 12 * HOUR }));
  const before = Date.now();
  const used: string[] = [];
  cleanups.push(onEntryUse((entryId, via) => used.push(`${entryId} ${via}`)));
  const refreshed = valueOf(await refresh.refresher.refresh(id));
  expect(used).toContain(`${id} refresh`); // a refresh counts as a use on this device (Last used)
  expect(refreshed.secret).toBe(clouds.tokenOf('aws', 1));
  expect(refreshed.expiresAt).toBeGreaterThanOrEqual(before + 12 * HOUR);
  expect(view.byId(id)?.secret).toBe(clouds.tokenOf('aws', 1));
  expect((await clouds.runs('aws')).map((r) => r.argv)).toEqual([AWS_ARGV.slice(1)]);
  // A refreshed token is checked at once (here against a registry that does not exist: the check still runs).
  expect(sent.filter((s) => s.channel === 'registry:check-login')).toHaveLength(1);
});

it('never runs an allowed command for an entry whose registry a remote edit changed', async () => {
  const { view, refresh, clouds, sent } = await session();
  const id = addEcr(view);
  valueOf(
    await refresh.commands.set(view.currentId ?? '', id, { argv: AWS_ARGV, approvedArgv: AWS_ARGV, registry: ECR }),
  );
  remoteEdit(view, (remote) =>
    (getEntriesMap(remote).get(id) as Y.Map<unknown>).set('registry', 'attacker.example.com'),
  );
  const entry = view.byId(id);
  expect(entry?.registry).toBe('attacker.example.com');
  expect(entry && refresh.refresher.dueAt(entry)).toBeUndefined();
  expect(await refresh.refresher.refresh(id)).toMatchObject({ ok: false, error: { code: 'not-approved' } });
  expect(sent.map((s) => s.channel)).not.toContain('refresh:run');
  expect(await clouds.runs('aws')).toEqual([]);
});

it('notifies a failed refresh, with the stderr redacted', async () => {
  const { view, refresh, clouds, notes } = await session();
  const id = addEcr(view);
  const vaultId = view.currentId ?? '';
  valueOf(await refresh.commands.set(vaultId, id, { argv: AWS_ARGV, approvedArgv: AWS_ARGV }));
  await clouds.fail('aws', true);
  const failed = await refresh.refresher.refresh(id);
  expect(failed).toMatchObject({ ok: false, error: { code: 'command-failed' } });
  expect(refresh.refresher.failures[id]?.stderr).toContain('ExpiredTokenException');
  expect(notes.calls().notifications).toEqual([
    {
      title: 'Token refresh failed: ECR prod',
      body: expect.stringContaining('For ECR, regenerate the authorization token'),
    },
  ]);
  expect(notes.targetOf(0)).toEqual({ vaultId, entryId: id });
  expect(view.byId(id)?.secret).toBe('first-token');
});

it('checks the login again after an edit with a new password, when the entry has a check history', async () => {
  const { view, sent } = await session();
  const checked = valueOf(view.add({ registry: '127.0.0.1:9', name: 'Local', username: 'u', secret: 'one' }));
  const unchecked = valueOf(view.add({ registry: '127.0.0.1:8', name: 'Other', username: 'u', secret: 'one' }));
  flushSync();
  await view.checks.test(checked);
  expect(view.byId(checked.id)?.lastCheck).toBeDefined();
  const checks = () => sent.filter((s) => s.channel === 'registry:check-login');
  expect(checks()).toHaveLength(1);

  valueOf(view.edit(checked.id, { secret: 'two' }));
  valueOf(view.edit(unchecked.id, { secret: 'two' }));
  valueOf(view.edit(checked.id, { notes: 'no secret change' }));
  expect(checks()).toHaveLength(2);
  expect(checks()[1]).toMatchObject({ input: { registry: '127.0.0.1:9', secret: 'two' } });
  await expect.poll(() => view.byId(checked.id)?.lastCheck?.code).toBe('refused');
});
