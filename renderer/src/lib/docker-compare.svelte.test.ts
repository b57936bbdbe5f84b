// DockerComparison, compiled as runes, talking to the real docker:compare handler (through the IPC
// contract's schema) over real files in a temporary HOME: what crosses is a digest, never a secret.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import * as Y from 'yjs';
import { addEntry, editEntry, listEntries, type Entry } from '../../../shared/entries';
import { createManualContext } from '../../../shared/entries/test-context';
import type { RequestOf } from '../../../shared/ipc/contract';

type CompareRequest = RequestOf<'docker:compare'>;
import { basicAuth } from '../../../electron/services/fixtures/docker-config-cases';
import { installMainBridge } from '../../../tests/support/main-bridge';
import {
  makeDockerTestEnv,
  removeDockerTestEnvs,
  writeConfigObject,
  type DockerTestEnv,
} from '../../../electron/services/fixtures/docker-config-env';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { DockerComparison } from './docker-compare.svelte';
import { VaultStore } from './vault-db';
import { VaultView } from './vault-view.svelte';
import { valueOf } from '../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };

afterAll(removeDockerTestEnvs);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The real bridge to main, and the compare requests it carried so far. */
function bridgeTo(testEnv: DockerTestEnv) {
  const bridge = installMainBridge(testEnv);
  cleanups.push(bridge.uninstall);
  const compares = () =>
    bridge.sent.filter((call) => call.channel === 'docker:compare').map((call) => call.input as CompareRequest);
  return { focus: bridge.focus, compares };
}

function vaultWith(doc: Y.Doc, ...inputs: { registry: string; username: string; secret: string }[]): Entry[] {
  const ctx = createManualContext('test');
  for (const input of inputs) if (!addEntry(doc, input, ctx).ok) throw new Error('not added');
  return [...listEntries(doc).entries];
}

it('badges the entries from digests, rehashes only what changed, and forgets everything on clear', async () => {
  const testEnv = await makeDockerTestEnv();
  await writeConfigObject(testEnv, {
    auths: {
      'ghcr.io': { auth: basicAuth('octocat', 'ghp_same') },
      'quay.io': { auth: basicAuth('org+robot', 'old') },
    },
  });
  const { compares } = bridgeTo(testEnv);
  const doc = new Y.Doc();
  let entries = vaultWith(
    doc,
    { registry: 'ghcr.io', username: 'octocat', secret: 'ghp_same' },
    { registry: 'quay.io', username: 'org+robot', secret: 'new' },
    { registry: 'harbor.example.com', username: 'robot', secret: 'harbor-secret' },
  );
  const comparison = new DockerComparison(() => entries);
  await comparison.compare();
  const byRegistry = (registry: string) =>
    comparison.states.get(entries.find((e) => e.registry === registry)?.id ?? '');
  expect([byRegistry('ghcr.io'), byRegistry('quay.io'), byRegistry('harbor.example.com')]).toEqual([
    'same',
    'differs',
    'absent',
  ]);
  const wire = JSON.stringify(compares());
  for (const secret of ['ghp_same', 'new', 'harbor-secret']) expect(wire).not.toContain(secret);

  const quay = entries.find((e) => e.registry === 'quay.io');
  if (!quay) throw new Error('no quay entry');
  expect(editEntry(doc, quay.id, { secret: 'old' }, createManualContext('test')).ok).toBe(true);
  entries = [...listEntries(doc).entries];
  await comparison.compare();
  expect(byRegistry('quay.io')).toBe('same');
  // Same session key, so an unchanged secret keeps its digest.
  const [first, second] = compares();
  expect(second?.key).toBe(first?.key);
  const digestOf = (request: typeof first, id: string) => request?.entries.find((e) => e.id === id)?.digest;
  const ghcrId = entries.find((e) => e.registry === 'ghcr.io')?.id ?? '';
  expect(digestOf(second, ghcrId)).toBe(digestOf(first, ghcrId));
  expect(digestOf(second, quay.id)).not.toBe(digestOf(first, quay.id));

  comparison.clear();
  expect(comparison.states.size).toBe(0);
  await comparison.compare();
  expect(compares()[2]?.key).not.toBe(first?.key);
});

it('compares again when the open vault changes or the window regains focus, while watched', async () => {
  const testEnv = await makeDockerTestEnv();
  await writeConfigObject(testEnv, { auths: {} });
  const bridge = bridgeTo(testEnv);
  const store = new VaultStore({ dbName: `compare-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  const profile = valueOf(await store.createProfile('correct horse battery staple'));
  valueOf(await profile.createVault('Personal'));
  const view = new VaultView(profile);
  await view.load();
  expect(view.add({ registry: 'ghcr.io', name: 'GitHub', username: 'octocat', secret: 'ghp_x' }).ok).toBe(true);
  const stop = view.docker.watch();
  flushSync();
  await expect.poll(() => [...view.docker.states.values()]).toEqual(['absent']);

  // `docker login` in a terminal, then back to the app.
  await writeConfigObject(testEnv, { auths: { 'ghcr.io': { auth: basicAuth('octocat', 'ghp_x') } } });
  bridge.focus();
  await expect.poll(() => [...view.docker.states.values()]).toEqual(['same']);

  expect(view.add({ registry: 'quay.io', name: 'Quay', username: 'q', secret: 'q' }).ok).toBe(true);
  flushSync();
  await expect.poll(() => view.docker.states.size).toBe(2);
  stop();
  const count = bridge.compares().length;
  bridge.focus();
  expect(view.add({ registry: 'gcr.io', name: 'GCR', username: '_json_key', secret: '{}' }).ok).toBe(true);
  flushSync();
  expect(bridge.compares().length).toBe(count);

  // Locking closes the view: the states and the session key go with it.
  view.close();
  expect(view.docker.states.size).toBe(0);
  await store.close();
});
