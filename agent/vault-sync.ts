// One sync of one vault, as a peer does it: the shared engine (signatures, member log, epochs, the
// judge) started from the stored cursor and document, run until it is caught up, then stopped. The
// outcome says what happened: synced (the new copy), unreachable, removed (by whom), or refused.
import * as Y from 'yjs';
import { decodeBase64, encodeBase64 } from '../shared/crypto/bytes';
import { errorCodes, type SyncError } from '../shared/sync/codes';
import { createSyncEngine, type SyncEngine } from '../shared/sync/engine';
import type { SyncStatus } from '../shared/sync/engine-core';
import { systemClock, type ConnectSocket } from '../shared/sync/ports';
import { openRelayConnection } from '../shared/sync/relay-connection';
import { createMemorySyncStorage, type SyncCursor } from '../shared/sync/storage';
import type { WireMemberRecord } from '../shared/sync/wire-records';
import { readPeople, readVaultName } from '../shared/team/people';
import type { AgentDevice } from './device';
import { verifySignature } from './device';
import { agentJudge } from './judge';
import { connectSocket, nodeRandom } from './ports';
import type { AgentVault } from './state-schema';
import { createClientIdentity } from '../shared/sync/client-ids';

/** What one sync came to. */
export type SyncOutcome =
  | Readonly<{ kind: 'synced'; vault: AgentVault }>
  | Readonly<{ kind: 'unreachable'; reason: string }>
  | Readonly<{ kind: 'removed'; vaultName: string; by: string }>
  | Readonly<{ kind: 'refused'; error: SyncError }>;

/** A vault just granted (no cursor yet): its key and member log from the grant. */
export type GrantedVault = Omit<AgentVault, 'cursor' | 'doc' | 'syncedAt'> &
  Readonly<{ members: readonly WireMemberRecord[] }>;

/** How long one sync may take before the relay counts as unreachable. */
export const SYNC_TIMEOUT_MS = 30_000;

/** Converts a stored cursor to the engine's (bytes decoded). */
function cursorOf(vault: AgentVault): SyncCursor {
  const { vector, members, ...rest } = vault.cursor;
  return { ...rest, members: members as WireMemberRecord[], vector: vector === null ? null : decodeBase64(vector) };
}

function storedCursor(cursor: SyncCursor): AgentVault['cursor'] {
  const { vector, ...rest } = cursor;
  return { ...rest, members: [...cursor.members], vector: vector === null ? null : encodeBase64(vector) };
}

/** Whether the relay answers and lets this device in (fails fast where the engine would retry). */
async function probeRelay(relayUrl: string, device: AgentDevice, connect: ConnectSocket): Promise<string | null> {
  try {
    const session = await openRelayConnection({
      url: relayUrl,
      connect,
      signer: device,
      clock: systemClock,
      timeoutMs: 10_000,
    });
    session.close();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

type Settled = 'synced' | 'timeout' | Readonly<{ error: SyncError; fatal?: true }>;

function settle(engine: SyncEngine, timeoutMs: number): Promise<Settled> {
  return new Promise((resolve) => {
    const decide = (status: SyncStatus): Settled | null => {
      if (status === 'synced') return 'synced';
      if (typeof status === 'object' && 'error' in status) {
        // A transient connection error is retried by the engine; membership and forgery are answers.
        if (status.fatal || status.error.code === errorCodes.notAMember) return status;
      }
      return null;
    };
    const finish = (value: Settled) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const unsubscribe = engine.onStatus((status) => {
      const settled = decide(status);
      if (settled) finish(settled);
    });
    const now = decide(engine.status());
    if (now) finish(now);
  });
}

/** Who removed this device, from the verified member log (null when the log shows no removal). */
function removalOf(engine: SyncEngine, me: string, doc: Y.Doc): string | null {
  const event = [...engine.memberEvents()].reverse().find((e) => e.action === 'remove' && e.subject === me);
  if (!event) return null;
  return readPeople(doc).get(event.signer)?.name ?? `an admin (device ${event.signer.slice(0, 8)})`;
}

/** Syncs one vault with its relay. `vault` is the stored copy, or a vault just granted. */
export async function syncVault(
  vault: AgentVault | GrantedVault,
  device: AgentDevice,
  timeoutMs = SYNC_TIMEOUT_MS,
  connect: ConnectSocket = connectSocket,
): Promise<SyncOutcome> {
  const unreachable = await probeRelay(vault.relayUrl, device, connect);
  if (unreachable !== null) return { kind: 'unreachable', reason: unreachable };
  const doc = new Y.Doc();
  const stored = 'cursor' in vault ? vault : null;
  if (stored) Y.applyUpdate(doc, decodeBase64(stored.doc));
  const storage = createMemorySyncStorage({ cursor: stored ? cursorOf(stored) : null, pending: [] });
  const engine = createSyncEngine({
    doc,
    // An agent writes nothing (a Viewer); its document is still under ids it owns, as every device's is.
    clients: createClientIdentity(doc, vault.vaultId, device.publicKey, nodeRandom),
    vaultId: vault.vaultId,
    vaultKey: { epoch: vault.vaultKey.epoch, key: decodeBase64(vault.vaultKey.key) },
    device,
    boxKeys: device.boxKeys,
    verify: verifySignature,
    relayUrl: vault.relayUrl,
    connect,
    random: nodeRandom,
    clock: systemClock,
    storage,
    judge: agentJudge,
    retry: { initialMs: 200, maxMs: 2_000, timeoutMs: 15_000 },
    ...('members' in vault ? { members: vault.members } : {}),
  });
  await engine.start();
  const settled = await settle(engine, timeoutMs);
  await engine.stop();
  const name = readVaultName(doc) ?? vault.vaultName;
  try {
    if (settled === 'timeout')
      return { kind: 'unreachable', reason: `no complete answer within ${timeoutMs / 1000} s` };
    if (settled !== 'synced') {
      if (settled.error.code !== errorCodes.notAMember) return { kind: 'refused', error: settled.error };
      const by = removalOf(engine, encodeBase64(device.publicKey), doc);
      if (by === null)
        return {
          kind: 'refused',
          error: {
            code: errorCodes.notAMember,
            message: `the relay refuses this agent in '${name}' but shows no signed removal (kept the local copy)`,
          },
        };
      return { kind: 'removed', vaultName: name, by };
    }
    const cursor = storage.peek().cursor;
    if (!cursor)
      return { kind: 'refused', error: { code: errorCodes.internal, message: 'the engine kept no position' } };
    return {
      kind: 'synced',
      vault: {
        vaultId: vault.vaultId,
        vaultName: name,
        relayUrl: vault.relayUrl,
        vaultKey: vault.vaultKey,
        cursor: storedCursor(cursor),
        doc: encodeBase64(Y.encodeStateAsUpdate(doc)),
        syncedAt: Date.now(),
      },
    };
  } finally {
    doc.destroy();
  }
}
