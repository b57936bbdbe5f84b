// A profile for the refresh tests (issue #17): vaults in fake-indexeddb, the real bridge to main's handlers on a
// temporary HOME, fake aws / az / gcloud first on PATH, and main's notifications recorded.
import type { KdfCost } from '../../shared/crypto/kdf';
import { valueOf } from '../../shared/test-result';
import { makeDockerTestEnv } from '../../electron/services/fixtures/docker-config-env';
import { makeFakeClouds } from '../../electron/services/fixtures/fake-clouds';
import { recordingNotifier } from '../../electron/services/fixtures/recording-notifier';
import { RefreshSession } from '../../renderer/src/lib/refresh/refresh-session.svelte';
import { VaultStore } from '../../renderer/src/lib/vault-db';
import { VaultView } from '../../renderer/src/lib/vault-view.svelte';
import { installMainBridge } from './main-bridge';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };

/** An hour in milliseconds. */
export const HOUR = 3_600_000;
/** An Amazon ECR registry (its preset: user AWS, 12 h tokens). */
export const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
/** The ECR preset's refresh command. */
export const AWS_ARGV = ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'];

/**
 * Creates a profile with the named vaults (the view opens the first by name) and its refresh session, not
 * started; `cleanups` gets what undoes it, to run after the test.
 */
export async function refreshProfile(vaultNames: readonly string[], cleanups: (() => unknown)[]) {
  const testEnv = await makeDockerTestEnv();
  const clouds = await makeFakeClouds(testEnv.root);
  const notes = recordingNotifier();
  const bridge = installMainBridge({ ...testEnv, env: { ...testEnv.env, PATH: clouds.path } }, notes.notifier);
  cleanups.push(bridge.uninstall);
  const dbName = `refresh-${Math.random()}`;
  const store = new VaultStore({ dbName, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanups.push(() => store.close());
  const profile = valueOf(await store.createProfile('correct horse battery staple'));
  const vaultIds: string[] = [];
  for (const name of vaultNames) vaultIds.push(valueOf(await profile.createVault(name)).id);
  const view = new VaultView(profile);
  await view.load();
  const refresh = new RefreshSession(profile, view);
  return { testEnv, clouds, notes, sent: bridge.sent, profile, vaultIds, view, refresh, dbName };
}
