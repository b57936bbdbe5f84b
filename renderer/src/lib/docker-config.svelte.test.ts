// DockerConfigState as the Docker config screen drives it, compiled as runes, over the real bridge
// to main's handlers on a temporary HOME: read, choose, review, apply, and a changed choice voiding
// the review; the badges come from the comparison, never from a plan.
import 'fake-indexeddb/auto';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { basicAuth } from '../../../electron/services/fixtures/docker-config-cases';
import {
  makeDockerTestEnv,
  readConfigObject,
  removeDockerTestEnvs,
  writeConfigObject,
} from '../../../electron/services/fixtures/docker-config-env';
import { installMainBridge } from '../../../tests/support/main-bridge';
import { DockerConfigState } from './docker-config.svelte';
import { onEntryUse } from './insights/entry-use-events';
import { VaultStore } from './vault-db';
import { VaultView } from './vault-view.svelte';
import { valueOf } from '../../../shared/test-result';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanups: (() => unknown)[] = [];
afterAll(removeDockerTestEnvs);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function screenWith(config: unknown) {
  const testEnv = await makeDockerTestEnv();
  await writeConfigObject(testEnv, config);
  const bridge = installMainBridge(testEnv);
  cleanups.push(bridge.uninstall);
  const store = new VaultStore({ dbName: `docker-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanups.push(() => store.close());
  const profile = valueOf(await store.createProfile('correct horse battery staple'));
  valueOf(await profile.createVault('Personal'));
  const view = new VaultView(profile);
  await view.load();
  const docker = new DockerConfigState(
    () => view.list.entries,
    () => view.docker,
  );
  return { testEnv, bridge, view, docker };
}

it('reads the file, compares without planning, then reviews and applies what was chosen', async () => {
  const { testEnv, bridge, view, docker } = await screenWith({
    auths: { 'quay.io': { auth: basicAuth('org+robot', 'old') }, 'foreign.example': { auth: basicAuth('x', 'y') } },
  });
  const ghcr = view.add({ registry: 'ghcr.io', name: 'GitHub', username: 'octocat', secret: 'ghp_s' });
  const quay = view.add({ registry: 'quay.io', name: 'Quay', username: 'org+robot', secret: 'new' });
  if (!ghcr.ok || !quay.ok) throw new Error('entries not added');

  await docker.read();
  expect(docker.view?.entries.map((e) => e.registry).sort()).toEqual(['foreign.example', 'quay.io']);
  expect([docker.stateOf(ghcr.value.id), docker.stateOf(quay.value.id)]).toEqual(['absent', 'differs']);
  expect(bridge.sent.map((call) => call.channel)).not.toContain('docker:plan');

  docker.toggle(ghcr.value.id);
  expect(docker.chosen.map((e) => e.name)).toEqual(['GitHub']);
  await docker.review();
  expect(docker.plan?.added.map((i) => i.registry)).toEqual(['ghcr.io']);
  // A changed choice voids the review: the user reviews again before applying.
  docker.toggle(quay.value.id);
  expect(docker.plan).toBeNull();
  await docker.review();
  expect(docker.plan?.changed.map((i) => i.registry)).toEqual(['quay.io']);
  const used: string[] = [];
  cleanups.push(onEntryUse((id, via) => used.push(`${id} ${via}`)));
  await docker.apply();
  // Written to Docker's config counts as a use of each entry on this device (Last used, "Not used for 90 days").
  expect(used.sort()).toEqual([`${ghcr.value.id} docker-config`, `${quay.value.id} docker-config`].sort());
  expect(docker.applyError).toBeNull();
  expect(docker.report?.written.map((w) => w.registry).sort()).toEqual(['ghcr.io', 'quay.io']);
  expect((await readConfigObject(testEnv))['auths']).toMatchObject({
    'ghcr.io': { auth: basicAuth('octocat', 'ghp_s') },
    'quay.io': { auth: basicAuth('org+robot', 'new') },
  });
  expect([docker.stateOf(ghcr.value.id), docker.stateOf(quay.value.id)]).toEqual(['same', 'same']);
  expect(docker.removable.map((e) => e.registry).sort()).toEqual(['ghcr.io', 'quay.io']);
});

it('reports an unreadable file on read and a review that can no longer be applied', async () => {
  const { testEnv, view, docker } = await screenWith({ auths: {} });
  const added = view.add({ registry: 'ghcr.io', name: 'GitHub', username: 'octocat', secret: 'ghp_s' });
  if (!added.ok) throw new Error('not added');
  docker.toggleAll();
  expect(docker.allSelected).toBe(true);
  await docker.review();
  expect(docker.plan).not.toBeNull();
  await writeConfigObject(testEnv, { auths: { 'other.example': { auth: basicAuth('a', 'b') } } });
  await docker.apply();
  expect(docker.applyError).toContain('Review');
  expect(docker.report).toBeNull();

  await writeConfigObject(testEnv, { auths: [] });
  await docker.read();
  expect(docker.view).toBeNull();
  expect(docker.readError).toMatch(/config\.json/);
});
