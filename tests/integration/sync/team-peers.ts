// A team on a real relay for the member-rights and member-attack suites: an admin and linked members, each a
// real engine judging with the vault judge; `malicious` members run a client that skips its own judge (a
// modified app), and `publishCrafted` sends hand-built bytes as a member's own client would.
import type * as Y from 'yjs';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { judgeVaultChange } from '../../../shared/entries/change-judge';
import { addEntry } from '../../../shared/entries/entry-create';
import { getEntryMap } from '../../../shared/entries/entry-doc';
import { createManualContext, type ManualContext } from '../../../shared/entries/test-context';
import { encodeChange } from '../../../shared/sync/change';
import type { RefusedChange, SyncEngineOptions } from '../../../shared/sync/engine-core';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { createReplica, type JudgeReplica } from '../../../shared/sync/judge';
import type { StoredSyncState } from '../../../shared/sync/storage';
import type { Role } from '../../../shared/sync/wire-records';
import { createTestVault, linkDevice, type TestVault } from './clients';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  openRawSession,
  waitSynced,
  withTimeout,
  type TestClient,
  type TestDevice,
} from './harness';

/** A member's engine with what it refused, an entry context writing as its device, and a wait for refusals. */
export type Peer = TestClient &
  Readonly<{ key: string; refused: RefusedChange[]; ctx: ManualContext; refusals: (count: number) => Promise<void> }>;

/**
 * A peer. `malicious`: its client skips its own judge (a modified app), so it seals and sends what an
 * honest client would keep local; every honest peer must refuse it.
 */
export function startPeer(
  relayUrl: string,
  vault: TestVault,
  device: TestDevice,
  members: Parameters<typeof createTestClient>[0]['members'],
  options: Readonly<{ malicious?: boolean; engine?: Partial<SyncEngineOptions> }> = {},
): Peer {
  const refused: RefusedChange[] = [];
  const waiting = new Set<() => void>();
  const client = createTestClient({
    relayUrl,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device,
    ...(members ? { members } : {}),
    options: {
      judge: judgeVaultChange,
      ...(options.malicious ? { replica: skippingOwnJudge(createReplica(vault.vaultId, judgeVaultChange)) } : {}),
      onRefused: (change) => {
        refused.push(change);
        for (const check of waiting) check();
      },
      ...options.engine,
    },
  });
  const key = encodeBase64(device.publicKey);
  // Refusals change no document, so they are awaited through the engine's report, not a document update.
  const refusals = (count: number) =>
    withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          if (refused.length < count) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      }),
      20_000,
      `${count} refusals not reported`,
    );
  const ctx = createManualContext(key, Date.UTC(2026, 10, 29), key.slice(0, 8));
  return { ...client, key, refused, ctx, refusals };
}

/** A replica whose owner's changes are sealed whatever its judge says (what a modified client does). */
export function skippingOwnJudge(real: JudgeReplica): JudgeReplica {
  return {
    ...real,
    propose: async (counter, entry) => {
      await real.propose(counter, entry);
      return null;
    },
  };
}

/** A vault with a live admin and one member per role (`malicious`: indexes into `roles`). */
export async function startTeam(
  relayUrl: string,
  roles: readonly Role[],
  malicious: readonly number[] = [],
  engine?: (index: number, vaultId: string) => Partial<SyncEngineOptions> | undefined,
) {
  const vault = await createTestVault();
  const admin = startPeer(relayUrl, vault, vault.owner, [vault.genesis]);
  await admin.engine.start();
  await waitSynced(admin.engine);
  const others: Peer[] = [];
  for (const [index, role] of roles.entries()) {
    const device = createTestDevice();
    const members = await linkDevice(relayUrl, admin, device, role);
    const extra = engine?.(index, vault.vaultId);
    const peer = startPeer(relayUrl, vault, device, members, {
      malicious: malicious.includes(index),
      ...(extra ? { engine: extra } : {}),
    });
    await peer.engine.start();
    others.push(peer);
  }
  await Promise.all(others.map((peer) => waitSynced(peer.engine)));
  return { vault, admin, others };
}

/** Adds an entry through the entry model as `peer`; returns its id. */
export function addOne(peer: Peer, registry: string): string {
  const added = addEntry(peer.doc, { registry, username: 'ci', secret: 'token-1' }, peer.ctx);
  if (!added.ok) throw new Error(added.error.message);
  return added.value.id;
}

/** Whether `doc` holds entry `id`. */
export const hasEntry = (doc: Y.Doc, id: string) => getEntryMap(doc, id) !== undefined;

/** Resolves once `peer` verified that `key` holds `role` (member records change no document). */
export function roleReached(peer: Peer, key: string, role: Role): Promise<void> {
  const holds = () => peer.engine.members().some((member) => member.publicKey === key && member.role === role);
  return withTimeout(
    new Promise<void>((resolve) => {
      const settle = () => {
        if (!holds()) return;
        off();
        resolve();
      };
      const off = peer.engine.onMembers(settle);
      settle();
    }),
    20_000,
    `${role} not reached`,
  );
}

let craftedCounter = 1_000_000;

/**
 * Publishes hand-built update bytes as `author`'s own client would: sealed with the vault key at the
 * member-log position `peer` verified, signed by the author's real key, over its own relay connection.
 * Resolves to the sequence number the relay gave it.
 */
export async function publishCrafted(
  relayUrl: string,
  vault: TestVault,
  author: Peer,
  update: Uint8Array,
  generations: readonly number[],
): Promise<number> {
  const stored = (author.storage as unknown as { peek: () => StoredSyncState }).peek();
  const raw = await openRawSession(relayUrl, author.device);
  try {
    const env = await sealEnvelope({
      vault: vault.vaultId,
      vaultKey: vault.vaultKey,
      counter: craftedCounter++,
      members: stored.cursor?.members.length ?? 1,
      update: encodeChange({ generations: [...generations].sort((a, b) => a - b), update }),
      signer: author.device,
      random: nodeRandom,
    });
    const ack = (await raw.session.request({ t: 'publish', env: encodeEnvelope(env) })) as { seq: number };
    return ack.seq;
  } finally {
    raw.session.close();
  }
}
