// Renderer sessions for suites on a real relay (relayForSuite): a profile with a display name and its
// running SyncManager, and joining a team vault through an invitation code, as the app does it.
import { expect, vi } from 'vitest';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { valueOf } from '../../../shared/test-result';
import { SyncManager } from '../../../renderer/src/lib/sync/sync-manager.svelte';
import { saveDisplayName } from '../../../renderer/src/lib/team/display-name';
import { previewInvitation } from '../../../renderer/src/lib/team/join-desk.svelte';
import { VaultStore, type UnlockedProfile } from '../../../renderer/src/lib/vault-db';
import { nodeSyncPorts, type relayForSuite } from './renderer-suite';
import { skippingOwnJudge } from './team-peers';
import { judgeVaultChange } from '../../../shared/entries/change-judge';
import { createReplica } from '../../../shared/sync/judge';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };

/** How long a step across sessions may take (polled). */
export const waitLong = { timeout: 20_000, interval: 50 };

/** One device: an unlocked profile and its SyncManager. */
export type SessionDevice = { session: UnlockedProfile; sync: SyncManager };

/** Creates a profile named `name` and starts its sync; stopped and closed with the suite. */
export async function startSessionDevice(
  suite: ReturnType<typeof relayForSuite>,
  name: string,
  /** A modified client that sends what its own judge refuses (its peers must refuse it). */
  malicious = false,
): Promise<SessionDevice> {
  const store = new VaultStore({ dbName: `team-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  const session = valueOf(await store.createProfile('pw'));
  valueOf(await saveDisplayName(session, name));
  const ports = malicious
    ? { ...nodeSyncPorts, replica: (id: string) => skippingOwnJudge(createReplica(id, judgeVaultChange)) }
    : nodeSyncPorts;
  const sync = new SyncManager(session, ports);
  suite.cleanup.push(async () => {
    await sync.stop();
    await store.close();
  });
  await sync.start();
  return { session, sync };
}

/** The invitee accepts the code (whose preview must read `sentence`) and waits until it joined. */
export async function joinInvitation(invitee: SessionDevice, code: string, sentence: string): Promise<void> {
  const preview = valueOf(previewInvitation(code, Date.now()));
  expect(preview.sentence).toBe(sentence);
  valueOf(await invitee.sync.joins.accept(preview.invitation));
  expect(invitee.sync.joins.joins.map((j) => j.state)).toContain('pending');
  await vi.waitFor(() => expect(invitee.sync.joins.joins.at(-1)?.state).toBe('joined'), waitLong);
}
