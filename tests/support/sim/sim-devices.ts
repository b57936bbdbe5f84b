// Devices and engines of a simulation, all drawn from the seed: Ed25519 and X25519 keys, nonces and
// backoff jitter from seeded byte streams, fixed Yjs client ids. The same seed gives byte-identical
// frames; nothing here is weaker than the app except where the randomness comes from.
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import nacl from 'tweetnacl';
import * as Y from 'yjs';
import { createEd25519Verifier } from '../../../relay/ed25519';
import { createSyncEngine, type SyncEngine } from '../../../shared/sync/engine';
import { createClientIdentity } from '../../../shared/sync/client-ids';
import { judgeStructure } from '../../../shared/sync/judge';
import type { SyncEngineOptions } from '../../../shared/sync/engine-core';
import type { VaultKey } from '../../../shared/sync/envelope';
import type { PairingInvite } from '../../../shared/sync/pairing';
import type { BoxKeyPair, ConnectSocket, DeviceSigner } from '../../../shared/sync/ports';
import { createMemorySyncStorage } from '../../../shared/sync/storage';
import type { WireMemberRecord } from '../../../shared/sync/wire-records';
import { createPrng, type Prng } from '../prng';
import type { FakeClock } from './fake-clock';

/** A simulated device: its signer, box keys and its own seeded byte stream. */
export type SimDevice = DeviceSigner & Readonly<{ id: string; boxKeys: BoxKeyPair; prng: Prng }>;

// PKCS#8 DER header of a raw 32-byte Ed25519 private key.
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Derives device `id`'s keys and byte stream from `seed`. */
export function createSimDevice(id: string, seed: number): SimDevice {
  const prng = createPrng(seed);
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, prng.bytes(32)]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    id,
    prng,
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
    sign: (message) => Promise.resolve(new Uint8Array(sign(null, message, privateKey))),
    boxKeys: nacl.box.keyPair.fromSecretKey(prng.bytes(32)),
  };
}

/** The invitation a pairing code of `device` would carry (the pairing itself is not under test here). */
export function simInvite(device: SimDevice, now: number): PairingInvite {
  return {
    identity: { signing: device.publicKey, box: device.boxKeys.publicKey },
    secret: device.prng.bytes(32),
    expiresAt: now + 10 * 60_000,
  };
}

/** One simulated replica: device, document, persisted sync state and its current engine. */
export type SimReplica = Readonly<{
  device: SimDevice;
  doc: Y.Doc;
  storage: ReturnType<typeof createMemorySyncStorage>;
  /** The running engine, or the last one stopped. */
  engine: () => SyncEngine;
  running: () => boolean;
  /** Starts a new engine over the same document and storage (an app restart). */
  start: () => Promise<void>;
  stop: () => Promise<void>;
}>;

const verify = createEd25519Verifier();

/** What a replica is built from. */
export type ReplicaInput = Readonly<{
  device: SimDevice;
  vaultId: string;
  vaultKey: VaultKey;
  members: readonly WireMemberRecord[];
  relayUrl: string;
  connect: ConnectSocket;
  clock: FakeClock;
  options?: Partial<SyncEngineOptions>;
}>;

/** Builds a replica (not started); its engines have the default retry and timeout settings. */
export function createSimReplica(input: ReplicaInput): SimReplica {
  const doc = new Y.Doc();
  // Client ids derived from the device key and generations from its seeded stream: every update is
  // byte-identical across replays, and owned by the device as every peer checks (protocol v5).
  const clients = createClientIdentity(doc, input.vaultId, input.device.publicKey, input.device.prng.bytes);
  const storage = createMemorySyncStorage();
  const build = () =>
    createSyncEngine({
      doc,
      clients,
      judge: judgeStructure,
      vaultId: input.vaultId,
      vaultKey: input.vaultKey,
      device: input.device,
      verify,
      relayUrl: input.relayUrl,
      connect: input.connect,
      random: input.device.prng.bytes,
      clock: input.clock,
      storage,
      members: input.members,
      ...input.options,
    });
  let engine = build();
  let running = false;
  return {
    device: input.device,
    doc,
    storage,
    engine: () => engine,
    running: () => running,
    start: async () => {
      if (running) return;
      running = true;
      engine = build();
      await engine.start();
    },
    stop: async () => {
      running = false;
      await engine.stop();
    },
  };
}
