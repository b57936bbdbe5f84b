// Helpers that set up vaults with several linked devices and wait for replicas to converge.
import { valueOf } from '../../../shared/test-result';
import * as Y from 'yjs';
import { contentOf, vectorOf } from '../../support/replicas';
import { createVault, pullKeyGrants, showPairingCode, type NewVault } from '../../../shared/sync/link';
import { startPairing, type PairingInvite } from '../../../shared/sync/pairing';
import { systemClock, type ConnectSocket } from '../../../shared/sync/ports';
import { createMemorySyncStorage } from '../../../shared/sync/storage';
import type { SyncEngineOptions } from '../../../shared/sync/engine-core';
import type { Role, WireMemberRecord } from '../../../shared/sync/wire-records';
import { canWrite, verifyMemberLog, type MemberState } from '../../../shared/sync/members';
import { createMitm } from './mitm';
import {
  keysThatMayWrite,
  orderRotationCounters,
  type WireRotationCounters,
} from '../../../shared/sync/rotation-counters';
import { encodeBase64, encodeUtf8 } from '../../../shared/crypto/bytes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { createInvitation, invitationId, type Invitation } from '../../../shared/sync/invitation';
import { openInvitationMailbox, type RelayReach } from '../../../shared/sync/invitation-client';
import { sealKeptInvitation } from '../../../shared/sync/invitation-keep';
import {
  connectNodeSocket,
  createTestClient,
  createTestDevice,
  nodeRandom,
  nodeVerify,
  openRawSession,
  readVault,
  waitSynced,
  type TestClient,
  type TestDevice,
} from './harness';

export { contentOf } from '../../support/replicas';

/** A vault with its owner device. */
export type TestVault = NewVault & Readonly<{ owner: TestDevice }>;

/** Creates a vault owned by a fresh device. */
export async function createTestVault(): Promise<TestVault> {
  const owner = createTestDevice();
  return { ...(await createVault(owner, nodeRandom)), owner };
}

/** A pairing invitation for `device` as its code would carry it (for authorizing without going through a code). */
export function inviteOf(device: TestDevice): PairingInvite {
  const { secret, expiresAt } = startPairing(nodeRandom, systemClock.now());
  return { identity: { signing: device.publicKey, box: device.boxKeys.publicKey }, secret, expiresAt };
}

/** The device pulls its key grants from `relayUrl` with one pairing it started, as its app does. */
/** The grants a device can open with `pairing` (what an invitee pulls while it waits). */
export async function pullGrantsOf(
  relayUrl: string,
  device: TestDevice,
  pairing: Parameters<typeof pullKeyGrants>[0]['pairings'][number],
) {
  return valueOf(
    await pullKeyGrants({
      relayUrl,
      connect: connectNodeSocket,
      device,
      boxKeys: device.boxKeys,
      verify: nodeVerify,
      clock: systemClock,
      pairings: [pairing],
    }),
  );
}

/** Links a new device through a live admin engine and returns the member log its grant came with. */
export async function linkDevice(
  relayUrl: string,
  admin: TestClient,
  device: TestDevice,
  role: Role = 'admin',
): Promise<readonly WireMemberRecord[]> {
  const pairing = startPairing(nodeRandom, systemClock.now());
  valueOf(await admin.engine.authorizeDevice(showPairingCode(device, device.boxKeys, pairing), role));
  const pulled = await pullGrantsOf(relayUrl, device, pairing);
  const granted = pulled.vaults[0];
  if (!granted) throw new Error(`no grant for the linked device: ${JSON.stringify(pulled.refused)}`);
  return granted.members;
}

/** Links a fresh device as a writer through a live admin engine and starts a client for it. */
export async function startLinkedWriter(relayUrl: string, admin: TestClient, vault: TestVault): Promise<TestClient> {
  const device = createTestDevice();
  const members = await linkDevice(relayUrl, admin, device, 'writer');
  const client = createTestClient({ relayUrl, vaultId: vault.vaultId, vaultKey: vault.vaultKey, device, members });
  await client.engine.start();
  return client;
}

/** A client that can be restarted with the same doc, storage and device. */
export type RestartableClient = {
  id: string;
  client: TestClient;
  running: boolean;
  restart: () => Promise<void>;
  stop: () => Promise<void>;
};

/** Starts the owner plus `extra` linked devices on a vault, each with its own connect function. */
export async function startLinkedClients(input: {
  relayUrl: string;
  vault: TestVault;
  extra: number;
  connectFor?: (id: string) => ConnectSocket;
  options?: Partial<SyncEngineOptions>;
  /** The relay nodes a client dials, in failover order (default: `relayUrl` alone). */
  relayUrlsFor?: (id: string) => readonly string[];
}): Promise<RestartableClient[]> {
  const make = (id: string, device: TestDevice, members: readonly WireMemberRecord[]): RestartableClient => {
    const doc = new Y.Doc();
    const storage = createMemorySyncStorage();
    const [relayUrl = input.relayUrl, ...fallbackRelayUrls] = input.relayUrlsFor?.(id) ?? [];
    const build = () =>
      createTestClient({
        relayUrl,
        vaultId: input.vault.vaultId,
        vaultKey: input.vault.vaultKey,
        device,
        members,
        storage,
        doc,
        connect: input.connectFor?.(id) ?? connectNodeSocket,
        options: { ...input.options, fallbackRelayUrls },
      });
    const entry: RestartableClient = {
      id,
      client: build(),
      running: false,
      stop: async () => {
        await entry.client.engine.stop();
        entry.running = false;
      },
      restart: async () => {
        if (entry.running) await entry.stop();
        entry.client = build();
        await entry.client.engine.start();
        entry.running = true;
      },
    };
    return entry;
  };
  const owner = make('c0', input.vault.owner, [input.vault.genesis]);
  await owner.restart();
  await waitSynced(owner.client.engine);
  const clients = [owner];
  for (let i = 1; i <= input.extra; i++) {
    const device = createTestDevice();
    const members = await linkDevice(input.relayUrl, owner.client, device);
    const client = make(`c${i}`, device, members);
    await client.restart();
    clients.push(client);
  }
  return clients;
}

/** Resolves when all docs hold the same state (checked on every update of any of them); rejects after `timeoutMs`. */
export function waitConverged(docs: readonly Y.Doc[], timeoutMs = 30_000): Promise<void> {
  const same = () => {
    const first = docs[0];
    if (!first) return true;
    const vector = vectorOf(first);
    const json = contentOf(first);
    return docs.every((doc) => vectorOf(doc) === vector && contentOf(doc) === json);
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!same()) return;
      clearTimeout(timer);
      for (const doc of docs) doc.off('update', check);
      resolve();
    };
    const timer = setTimeout(() => {
      for (const doc of docs) doc.off('update', check);
      reject(new Error(`replicas did not converge within ${timeoutMs} ms`));
    }, timeoutMs);
    for (const doc of docs) doc.on('update', check);
    check();
  });
}

/**
 * An invitee's device accepted by an admin: the admin's engine authorizes it with the invitation's
 * pairing, then the device pulls its grants from `relayUrl` (as its app does) and returns the vault ids.
 */
export async function completeInvitation(
  admin: TestClient,
  relayUrl: string,
  device: TestDevice,
  pairing: Readonly<{ id: string; secret: Uint8Array; expiresAt: number }>,
  role: Role,
): Promise<string[]> {
  const identity = { signing: device.publicKey, box: device.boxKeys.publicKey };
  valueOf(await admin.engine.authorizeDevice({ identity, secret: pairing.secret, expiresAt: pairing.expiresAt }, role));
  const pulled = await pullGrantsOf(relayUrl, device, pairing);
  return pulled.vaults.map((v) => v.vaultId);
}

/**
 * What a hand-built `rotate` record must name (docs/protocol.md §7c): every key that may still write in
 * `state`, with the counter the relay stored for it (read here from the envelopes it serves `reader`).
 */
export async function rotationCountersFor(
  relayUrl: string,
  reader: TestDevice,
  state: MemberState,
): Promise<WireRotationCounters> {
  const { envs } = await readVault(relayUrl, reader, state.vault);
  const stored = new Map<string, number>();
  for (const { env } of envs) stored.set(env.author, Math.max(stored.get(env.author) ?? 0, env.counter));
  return orderRotationCounters(keysThatMayWrite(state.roles, state.frozen, canWrite), (key) => stored.get(key) ?? 0);
}

/**
 * Makes an invitation to `vault` from its owner (role `role`, relay `relayUrl`) and opens its mailbox
 * through `reach`, with the owner's sealed copy, as the admin's app does.
 */
export async function openTestInvitation(
  reach: RelayReach,
  vault: TestVault,
  role: Role = 'writer',
  autoConfirm = false,
): Promise<Invitation> {
  const invitation = createInvitation(
    {
      relayUrl: reach.relayUrl,
      vaultId: vault.vaultId,
      vaultName: 'Production',
      inviterName: 'Alice',
      role,
      inviterKey: encodeBase64(vault.owner.publicKey),
    },
    nodeRandom,
    Date.now(),
  );
  const keep = sealKeptInvitation({ invitation, autoConfirm }, vault.owner.boxKeys.publicKey, nodeRandom);
  const opening = {
    vault: vault.vaultId,
    invitation: invitationId(invitation.secret),
    expiresAt: invitation.expiresAt,
  };
  valueOf(await openInvitationMailbox(reach, { ...opening, keep }));
  return invitation;
}

/** Envelope `counter` of `vault` by its owner, sealed at member-log position 1, in wire form (`#<counter>` inside). */
export async function sealedTestEnvelope(vault: TestVault, counter: number) {
  return encodeEnvelope(
    await sealEnvelope({
      vault: vault.vaultId,
      vaultKey: vault.vaultKey,
      counter,
      members: 1,
      update: encodeUtf8(`#${counter}`),
      signer: vault.owner,
      random: nodeRandom,
    }),
  );
}

/** A device's signing and box keys, as a removal's recipients name them. */
export const identityOf = (device: TestDevice) => ({ signing: device.publicKey, box: device.boxKeys.publicKey });

/**
 * The vault's member log as `device` verifies it from the relay (a raw session it can send hand-built frames
 * on), with the head and the records it was sent.
 */
export async function verifiedLog(relayUrl: string, device: TestDevice, vault: string) {
  const { session } = await openRawSession(relayUrl, device);
  const subscribed = await session.request({ t: 'subscribe', vault, from: 0 });
  if (subscribed.t !== 'subscribed') throw new Error(`unexpected ${subscribed.t}`);
  const state = (await verifyMemberLog(vault, subscribed.members, nodeVerify)) as MemberState;
  return { session, state, head: subscribed.head, records: subscribed.members };
}

/** The owner and one linked peer whose frames from the relay pass through a man in the middle (`mitm`). */
export async function startWatchedPeer(relayUrl: string, vault: TestVault) {
  const mitm = createMitm();
  const [owner, peer] = await startLinkedClients({
    relayUrl,
    vault,
    extra: 1,
    connectFor: (id) => (id === 'c1' ? mitm.connect : connectNodeSocket),
  });
  if (!owner || !peer) throw new Error('clients missing');
  return { mitm, owner, peer };
}
