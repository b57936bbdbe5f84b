// Test harness for sync: real relay processes (spawned with `node --import tsx relay/main.ts` on
// port 0, the bound port read from its first stdout line) and Node clients over `ws`.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import nacl from 'tweetnacl';
import type NodeWebSocket from 'ws';
import * as Y from 'yjs';
import { createEd25519Verifier } from '../../../relay/ed25519';
import { createSyncEngine, type SyncEngine } from '../../../shared/sync/engine';
import { createClientIdentity, type ClientIdentity } from '../../../shared/sync/client-ids';
import { judgeStructure } from '../../../shared/sync/judge';
import type { SyncEngineOptions, SyncStatus } from '../../../shared/sync/engine-core';
import type { VaultKey } from '../../../shared/sync/envelope';
import type { BoxKeyPair, ConnectSocket, DeviceSigner } from '../../../shared/sync/ports';
import { systemClock } from '../../../shared/sync/ports';
import { createMemorySyncStorage, type SyncStorage } from '../../../shared/sync/storage';
import type { WireMemberRecord } from '../../../shared/sync/wire-records';
import { openRelayConnection } from '../../../shared/sync/relay-connection';
import type { RelayFrame } from '../../../shared/sync/wire-frames';
import { createDatabaseAt } from '../../support/postgres';
import { connectWith } from '../../../agent/ports';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/** A relay child process. */
export type RelayProcess = {
  /** The program and its first arguments. */
  readonly command: readonly string[];
  readonly dataDir: string;
  /** The PostgreSQL database the relay stores in; null: SQLite in `dataDir`. */
  readonly database: string | null;
  port: number;
  /** The loopback address to connect to. */
  url: string;
  /** The public URL the relay announced (devices must have signed it). */
  publicUrl: string;
  /** Where GET /metrics is served (`--metrics-listen`); null when not asked for. */
  metricsPort: number | null;
  child: ChildProcess;
  /** Every line the relay wrote to stdout (structured JSON logs), across restarts. */
  readonly output: string[];
  /** Kills the process with `signal` and waits for it to exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts the relay again on the same data dir and port. */
  restart: () => Promise<void>;
};

let postgresAdminUrl: string | null = null;

/**
 * Makes every relay started from now on store in PostgreSQL, each in a fresh database of the cluster
 * at `adminUrl` (the `relay-postgres` test project runs the sync suites this way).
 */
export function storeRelaysInPostgres(adminUrl: string): void {
  postgresAdminUrl = adminUrl;
}

/** Whether relays started now store in PostgreSQL. */
export const relaysUsePostgres = () => postgresAdminUrl !== null;

/**
 * Spawns a relay on a free port with a fresh (or given) data dir — or, in the `relay-postgres`
 * project, a fresh (or given) PostgreSQL database.
 */
export async function startRelayProcess(
  options: {
    dataDir?: string;
    database?: string | null;
    args?: readonly string[];
    /** The program and its first arguments (default: the relay's sources through tsx; an installed package's bin). */
    command?: readonly string[];
  } = {},
): Promise<RelayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'regvault-relay-'));
  // `database: null` asks for SQLite even in the relay-postgres project.
  const database =
    options.database !== undefined
      ? options.database
      : postgresAdminUrl === null
        ? null
        : await createDatabaseAt(postgresAdminUrl);
  const relay: RelayProcess = {
    command: options.command ?? [process.execPath, '--import', 'tsx', 'relay/main.ts'],
    dataDir,
    database,
    output: [],
    port: 0,
    url: '',
    publicUrl: '',
    metricsPort: null,
    child: undefined as unknown as ChildProcess,
    kill: async (signal = 'SIGTERM') => {
      const child = relay.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
    restart: async () => {
      // Back on its port, told the public URL it derived the first time (devices signed that one).
      await spawnRelay(relay, ['--port', String(relay.port), '--public-url', relay.url, ...(options.args ?? [])]);
    },
  };
  await spawnRelay(relay, ['--port', '0', ...(options.args ?? [])]);
  return relay;
}

// Relays still running when the test process exits (a failed or timed-out test) are killed with it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function spawnRelay(relay: RelayProcess, args: readonly string[]): Promise<void> {
  const store = relay.database === null ? [] : ['--database', relay.database];
  const [program = process.execPath, ...prefix] = relay.command;
  const child = spawn(program, [...prefix, '--data-dir', relay.dataDir, ...store, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay.child = child;
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (!child.stdout) throw new Error('relay stdout is not piped');
  const lines = createInterface({ input: child.stdout });
  const listening = await new Promise<{ port: number; publicUrl: string; metricsPort: number | null }>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start in 20 s: ${stderr}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${stderr}`)));
      lines.on('line', (line) => {
        relay.output.push(line);
        const event = JSON.parse(line) as { event: string; port?: number; publicUrl?: string; metricsPort?: number };
        if (event.event === 'listening' && event.port) {
          clearTimeout(timer);
          resolve({ port: event.port, publicUrl: event.publicUrl ?? '', metricsPort: event.metricsPort ?? null });
        }
      });
    },
  );
  relay.port = listening.port;
  // A relay listening on loopback derives its public URL (ws://127.0.0.1:port/) unless told another.
  relay.url = `ws://127.0.0.1:${listening.port}`;
  relay.publicUrl = listening.publicUrl;
  relay.metricsPort = listening.metricsPort;
}

/** Removes a relay's data dir. */
export function removeDataDir(relay: RelayProcess): void {
  rmSync(relay.dataDir, { recursive: true, force: true });
}

// Node's resolution, not Vite's: the runes test project resolves packages with the `browser` condition,
// which gives `ws`'s browser stub (it throws), and Node 20 has no global WebSocket.
const WebSocket = createRequire(import.meta.url)('ws') as typeof NodeWebSocket;

/** The `ConnectSocket` adapter over `ws` (the renderer has the same ~10 lines over the browser WebSocket). */
export const connectNodeSocket: ConnectSocket = connectWith(WebSocket);

/** A device identity backed by node:crypto Ed25519, plus its X25519 box key pair. */
export type TestDevice = DeviceSigner & Readonly<{ boxKeys: BoxKeyPair }>;

/** Generates a device identity. */
export function createTestDevice(): TestDevice {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
    sign: (message) => Promise.resolve(new Uint8Array(sign(null, message, privateKey))),
    boxKeys: nacl.box.keyPair(),
  };
}

/** Node's secure random bytes as a `Uint8Array`. */
export const nodeRandom = (length: number): Uint8Array => new Uint8Array(randomBytes(length));

/** The shared verifier (node:crypto). */
export const nodeVerify = createEd25519Verifier();

const identities = new WeakMap<Y.Doc, ClientIdentity>();

/**
 * The client ids a test device writes `doc` under: one identity per document, kept across engines built
 * over the same document (a restarted client), as the app keeps its generations with the vault.
 */
export function clientIdentityOf(doc: Y.Doc, vaultId: string, device: Uint8Array): ClientIdentity {
  let identity = identities.get(doc);
  if (!identity) {
    identity = createClientIdentity(doc, vaultId, device, nodeRandom);
    identities.set(doc, identity);
  }
  return identity;
}

/** One client: a doc, its engine and its storage. */
export type TestClient = Readonly<{ doc: Y.Doc; engine: SyncEngine; storage: SyncStorage; device: TestDevice }>;

/** Builds a client for a vault (not started). */
export function createTestClient(input: {
  relayUrl: string;
  vaultId: string;
  vaultKey: VaultKey;
  device?: TestDevice;
  members?: readonly WireMemberRecord[];
  storage?: SyncStorage;
  doc?: Y.Doc;
  connect?: ConnectSocket;
  options?: Partial<SyncEngineOptions>;
}): TestClient {
  const doc = input.doc ?? new Y.Doc();
  const device = input.device ?? createTestDevice();
  const storage = input.storage ?? createMemorySyncStorage();
  const engine = createSyncEngine({
    doc,
    clients: clientIdentityOf(doc, input.vaultId, device.publicKey),
    judge: judgeStructure,
    vaultId: input.vaultId,
    vaultKey: input.vaultKey,
    device,
    boxKeys: device.boxKeys,
    verify: nodeVerify,
    relayUrl: input.relayUrl,
    connect: input.connect ?? connectNodeSocket,
    random: nodeRandom,
    clock: systemClock,
    storage,
    retry: { initialMs: 50, maxMs: 500, timeoutMs: 10_000 },
    ...(input.members ? { members: input.members } : {}),
    ...input.options,
  });
  return { doc, engine, storage, device };
}

/** Resolves when `predicate(status)` holds (checked now and on every change); rejects after `timeoutMs`. */
export function waitForStatus(
  engine: SyncEngine,
  predicate: (status: SyncStatus) => boolean,
  timeoutMs = 20_000,
): Promise<SyncStatus> {
  return new Promise((resolve, reject) => {
    if (predicate(engine.status())) return resolve(engine.status());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`status did not match within ${timeoutMs} ms; last: ${JSON.stringify(engine.status())}`));
    }, timeoutMs);
    const stop = engine.onStatus((status) => {
      if (!predicate(status)) return;
      clearTimeout(timer);
      stop();
      resolve(status);
    });
  });
}

/** Waits until the engine reports `synced`. */
export const waitSynced = (engine: SyncEngine, timeoutMs?: number) =>
  waitForStatus(engine, (s) => s === 'synced', timeoutMs);

/** Resolves when `check()` is true, re-checked on every update of `doc`; rejects after `timeoutMs`. */
export function waitForDoc(doc: Y.Doc, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const onUpdate = () => {
      if (!check()) return;
      clearTimeout(timer);
      doc.off('update', onUpdate);
      resolve();
    };
    const timer = setTimeout(() => {
      doc.off('update', onUpdate);
      reject(new Error(`document condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    doc.on('update', onUpdate);
  });
}

/** The JSON of a doc's `entries` map, for comparing replicas. */
export function entriesOf(doc: Y.Doc): unknown {
  return doc.getMap('entries').toJSON();
}

/** Opens an authenticated raw protocol session (no engine) that records every frame it receives. */
export async function openRawSession(url: string, device: DeviceSigner, onFrame?: (frame: RelayFrame) => void) {
  const frames: RelayFrame[] = [];
  const session = await openRelayConnection({
    url,
    connect: connectNodeSocket,
    signer: device,
    clock: systemClock,
    timeoutMs: 10_000,
    onFrame: (frame) => {
      frames.push(frame);
      onFrame?.(frame);
    },
  });
  return { session, frames };
}

/** Subscribes a raw session and resolves with the envelope frames up to the head the relay reported. */
export async function readVault(url: string, device: DeviceSigner, vault: string, from = 0) {
  const envs: Extract<RelayFrame, { t: 'env' }>[] = [];
  let head = -1;
  let done: () => void = () => undefined;
  const complete = new Promise<void>((resolve) => (done = resolve));
  let snapSeq = from;
  const raw = await openRawSession(url, device, (frame) => {
    if (frame.t === 'subscribed') head = frame.head;
    if (frame.t === 'snap') snapSeq = frame.snap.seq;
    if (frame.t === 'env') envs.push(frame);
    if (head >= 0 && (envs.at(-1)?.seq ?? snapSeq) === head) done();
  });
  const answer = await raw.session.request({ t: 'subscribe', vault, from });
  if (answer.t !== 'subscribed') throw new Error(`unexpected ${answer.t}`);
  await withTimeout(complete, 20_000, 'catch-up did not complete');
  raw.session.close();
  return { head, envs, frames: raw.frames };
}

/** Rejects with `message` if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}
