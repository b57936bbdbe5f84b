// Test support for the team suites: renderer sessions (fake IndexedDB, WebCrypto, a real relay) named
// after people, and the way an invitee joins — it accepts, the admin whose key the code names sees
// the same digits and confirms.
import { expect, vi } from 'vitest';
import type { KdfCost } from '../../../shared/crypto/kdf';
import { valueOf } from '../../../shared/test-result';
import { nodeSyncPorts, type relayForSuite } from './renderer-suite';
import { SyncManager } from '../../../renderer/src/lib/sync/sync-manager.svelte';
import { VaultStore, type UnlockedProfile } from '../../../renderer/src/lib/vault-db';
import { saveDisplayName } from '../../../renderer/src/lib/team/display-name';
import type { SentInvitation } from '../../../renderer/src/lib/team/invite-desk.svelte';
import { previewInvitation } from '../../../renderer/src/lib/team/join-desk.svelte';
import { judgeVaultChange } from '../../../shared/entries/change-judge';
import { createReplica } from '../../../shared/sync/judge';
import { skippingOwnJudge } from './team-peers';

/** One person's session. */
export type Device = { session: UnlockedProfile; sync: SyncManager; store: VaultStore };

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
/** How long the team suites wait for something to arrive through the relay. */
export const waitLong = { timeout: 20_000, interval: 50 };

/** Sessions of one suite (cleaned up after it), and joining through the admin's Confirm. */
export function teamSessions(suite: ReturnType<typeof relayForSuite>) {
  // Every session by its signing key: an invitation names its admin by that key.
  const devices = new Map<string, Device>();

  const start = async (store: VaultStore, session: UnlockedProfile, malicious = false): Promise<Device> => {
    // A modified client sends what its own judge refuses (its peers must refuse it).
    const ports = malicious
      ? { ...nodeSyncPorts, replica: (id: string) => skippingOwnJudge(createReplica(id, judgeVaultChange)) }
      : nodeSyncPorts;
    const sync = new SyncManager(session, ports);
    suite.cleanup.push(() => sync.stop());
    await sync.start();
    const made = { session, sync, store };
    devices.set(sync.team.me, made);
    return made;
  };

  /** A new profile named `name`, unlocked and syncing (`malicious`: a client that skips its own judge). */
  const device = async (name: string, malicious = false): Promise<Device> => {
    const store = new VaultStore({ dbName: `team-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
    suite.cleanup.push(() => store.close());
    const session = valueOf(await store.createProfile('pw'));
    valueOf(await saveDisplayName(session, name));
    return start(store, session, malicious);
  };

  /** Locks a session and unlocks it again: a new SyncManager, as the app makes one per unlock. */
  const relock = async (who: Device): Promise<Device> => {
    await who.sync.stop();
    await who.session.lock();
    return start(who.store, valueOf(await who.store.unlock('pw')));
  };

  /** The joiner waiting on the admin's desk for invitation `id`, once its request arrived. */
  const waitingOn = async (admin: Device, id: string): Promise<SentInvitation> => {
    await vi.waitFor(() => expect(admin.sync.invites.sent.find((s) => s.id === id)?.state).toBe('waiting'), waitLong);
    const sent = admin.sync.invites.sent.find((s) => s.id === id);
    if (!sent) throw new Error('the invitation left the desk');
    return sent;
  };

  /** The invitee accepts; the admin (the session the code names) sees the same digits and confirms. */
  const join = async (invitee: Device, code: string, sentence: string): Promise<void> => {
    const preview = valueOf(previewInvitation(code, Date.now()));
    expect(preview.sentence).toBe(sentence);
    const joining = valueOf(await invitee.sync.joins.accept(preview.invitation));
    expect(joining.state).toBe('waiting');
    const admin = devices.get(preview.invitation.inviterKey);
    if (!admin) throw new Error('the inviting session is not here');
    const sent = await waitingOn(admin, joining.id);
    expect(sent.fingerprint).toBe(joining.fingerprint);
    valueOf(await admin.sync.invites.confirm(joining.id));
    await vi.waitFor(() => expect(invitee.sync.joins.joins.at(-1)?.state).toBe('joined'), waitLong);
  };

  return { device, relock, waitingOn, join };
}
