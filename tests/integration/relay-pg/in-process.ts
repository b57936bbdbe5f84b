// Relay nodes in this process over one PostgreSQL database, driven request by request through the
// real handlers with recording connections. Nothing follows other nodes' changes unless a test says
// so: a test decides exactly what each node has heard (a lost or late NOTIFY is the default).
import { inject } from 'vitest';
import { encodeBase64, encodeUtf8 } from '../../../shared/crypto/bytes';
import { encodeEnvelope, sealEnvelope, type Envelope } from '../../../shared/sync/envelope';
import { applyMemberRecord, emptyMemberState, signMemberRecord, type MemberState } from '../../../shared/sync/members';
import type { RelayFrame, RequestFrame } from '../../../shared/sync/wire-frames';
import type { Role, WireMemberRecord } from '../../../shared/sync/wire-records';
import { asBuffer, createRelayContext, type Connection, type RelayContext } from '../../../relay/context';
import { handleRequest } from '../../../relay/handlers';
import { defaultLimits } from '../../../relay/limits';
import { openPgStore } from '../../../relay/pg-store';
import { catchUpMembers } from '../../../relay/remote-changes';
import type { NewEnvelope, RelayStore } from '../../../relay/store';
import { createDatabaseAt } from '../../support/postgres';
import { createTestVault, type TestVault } from '../sync/clients';
import { createTestDevice, nodeRandom, type TestDevice } from '../sync/harness';

/** A relay node in this process: its store and its handlers' context. */
export type InProcessNode = Readonly<{ store: RelayStore; ctx: RelayContext }>;

/** Opens `count` nodes on one fresh database; `close` closes their stores. */
export async function openNodes(count: number): Promise<{ nodes: InProcessNode[]; close: () => Promise<void> }> {
  const url = await createDatabaseAt(inject('relayPostgresAdminUrl') ?? '');
  const nodes: InProcessNode[] = [];
  for (let i = 0; i < count; i++) {
    const store = await openPgStore({ url, poolSize: 4 });
    const ctx = createRelayContext(store, defaultLimits, Date.now, {
      catchUpMembers: (vault) => catchUpMembers(store, vault),
    });
    nodes.push({ store, ctx });
  }
  return { nodes, close: async () => void (await Promise.all(nodes.map((node) => node.store.close()))) };
}

/** A connection of `device` that records every frame sent to it and whether it was closed. */
export function recordingConnection(device: TestDevice) {
  const frames: RelayFrame[] = [];
  const closed: number[] = [];
  const conn: Connection = {
    device: device.publicKey,
    deviceKey: encodeBase64(device.publicKey),
    subscriptions: new Set(),
    sendText: (text) => void frames.push(JSON.parse(text) as RelayFrame),
    sendFrame: (frame) => void frames.push(frame),
    sendError: (id, code, message) => void frames.push({ t: 'error', id, code, message }),
    close: (code) => void closed.push(code),
  };
  return { conn, frames, closed };
}

/** Handles one request on `node` as the relay would. */
export const request = (node: InProcessNode, conn: Connection, frame: RequestFrame) =>
  Promise.resolve(handleRequest(node.ctx, conn, frame));

/** The envelope and ack sequence numbers a connection received, in order (`env 3`, `ack 4`, `error 3002`). */
export const deliveries = (frames: readonly RelayFrame[]) =>
  frames.flatMap((f) =>
    f.t === 'env' || f.t === 'ack' ? [`${f.t} ${f.seq}`] : f.t === 'error' ? [`error ${f.code}`] : [],
  );

/** A registered vault with its owner and `members` more devices of the given role, stored through `store`. */
export async function vaultWith(store: RelayStore, roles: readonly Role[]) {
  const vault = await createTestVault();
  let state = applyOrThrow(emptyMemberState(vault.vaultId), vault.genesis);
  const devices: TestDevice[] = [];
  if (!(await store.registerVault(vault.vaultId, vault.genesis, 0))) throw new Error('not registered');
  for (const role of roles) {
    const device = createTestDevice();
    const record = await signMemberRecord(state, { action: 'add', subject: device.publicKey, role }, vault.owner);
    state = applyOrThrow(state, record);
    if (!(await store.appendMember(record, null))) throw new Error('member not appended');
    devices.push(device);
  }
  return {
    vault,
    devices,
    /** Adds one more device as a writer, through `through` (another node's store). */
    addWriter: async (through: RelayStore) => {
      const record = await signMemberRecord(
        state,
        { action: 'add', subject: createTestDevice().publicKey, role: 'writer' },
        vault.owner,
      );
      state = applyOrThrow(state, record);
      if (!(await through.appendMember(record, null))) throw new Error('member not appended');
    },
  };
}

function applyOrThrow(state: MemberState, record: WireMemberRecord): MemberState {
  const next = applyMemberRecord(state, record, true);
  if (typeof next === 'string') throw new Error(next);
  return next;
}

/** Seals an envelope of `signer` written at member-log position `members`. */
export const sealFor = (vault: TestVault, signer: TestDevice, counter: number, members: number) =>
  sealEnvelope({
    vault: vault.vaultId,
    vaultKey: vault.vaultKey,
    counter,
    members,
    update: encodeUtf8(`${counter}`),
    signer,
    random: nodeRandom,
  });

/** A publish request of an envelope. */
export const publishOf = (id: number, env: Envelope): RequestFrame => ({ t: 'publish', id, env: encodeEnvelope(env) });

/** An envelope as a store row (for storing it through a node directly). */
export const rowOf = (env: Envelope): NewEnvelope => ({
  vault: env.vault,
  epoch: env.epoch,
  author: asBuffer(env.author),
  counter: env.counter,
  members: env.members ?? null,
  nonce: asBuffer(env.nonce),
  ciphertext: asBuffer(env.ciphertext),
  sig: asBuffer(env.sig),
});

/** Waits until `done` holds, checking after each macrotask (answers may follow further store reads). */
export async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}
