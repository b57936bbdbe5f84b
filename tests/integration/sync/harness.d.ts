import { type ChildProcess } from 'node:child_process';
import * as Y from 'yjs';
import { type SyncEngine } from '../../../shared/sync/engine';
import { type ClientIdentity } from '../../../shared/sync/client-ids';
import type { SyncEngineOptions, SyncStatus } from '../../../shared/sync/engine-core';
import type { VaultKey } from '../../../shared/sync/envelope';
import type { BoxKeyPair, ConnectSocket, DeviceSigner } from '../../../shared/sync/ports';
import { type SyncStorage } from '../../../shared/sync/storage';
import type { WireMemberRecord } from '../../../shared/sync/wire-records';
import type { RelayFrame } from '../../../shared/sync/wire-frames';
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
/**
 * Makes every relay started from now on store in PostgreSQL, each in a fresh database of the cluster
 * at `adminUrl` (the `relay-postgres` test project runs the sync suites this way).
 */
export declare function storeRelaysInPostgres(adminUrl: string): void;
/** Whether relays started now store in PostgreSQL. */
export declare const relaysUsePostgres: () => boolean;
/**
 * Spawns a relay on a free port with a fresh (or given) data dir — or, in the `relay-postgres`
 * project, a fresh (or given) PostgreSQL database.
 */
export declare function startRelayProcess(options?: {
    dataDir?: string;
    database?: string | null;
    args?: readonly string[];
    /** The program and its first arguments (default: the relay's sources through tsx; an installed package's bin). */
    command?: readonly string[];
}): Promise<RelayProcess>;
/** Removes a relay's data dir. */
export declare function removeDataDir(relay: RelayProcess): void;
/** The `ConnectSocket` adapter over `ws` (the renderer has the same ~10 lines over the browser WebSocket). */
export declare const connectNodeSocket: ConnectSocket;
/** A device identity backed by node:crypto Ed25519, plus its X25519 box key pair. */
export type TestDevice = DeviceSigner & Readonly<{
    boxKeys: BoxKeyPair;
}>;
/** Generates a device identity. */
export declare function createTestDevice(): TestDevice;
/** Node's secure random bytes as a `Uint8Array`. */
export declare const nodeRandom: (length: number) => Uint8Array;
/** The shared verifier (node:crypto). */
export declare const nodeVerify: import("../../../relay/ed25519").Ed25519Verifier;
/**
 * The client ids a test device writes `doc` under: one identity per document, kept across engines built
 * over the same document (a restarted client), as the app keeps its generations with the vault.
 */
export declare function clientIdentityOf(doc: Y.Doc, vaultId: string, device: Uint8Array): ClientIdentity;
/** One client: a doc, its engine and its storage. */
export type TestClient = Readonly<{
    doc: Y.Doc;
    engine: SyncEngine;
    storage: SyncStorage;
    device: TestDevice;
}>;
/** Builds a client for a vault (not started). */
export declare function createTestClient(input: {
    relayUrl: string;
    vaultId: string;
    vaultKey: VaultKey;
    device?: TestDevice;
    members?: readonly WireMemberRecord[];
    storage?: SyncStorage;
    doc?: Y.Doc;
    connect?: ConnectSocket;
    options?: Partial<SyncEngineOptions>;
}): TestClient;
/** Resolves when `predicate(status)` holds (checked now and on every change); rejects after `timeoutMs`. */
export declare function waitForStatus(engine: SyncEngine, predicate: (status: SyncStatus) => boolean, timeoutMs?: number): Promise<SyncStatus>;
/** Waits until the engine reports `synced`. */
export declare const waitSynced: (engine: SyncEngine, timeoutMs?: number) => Promise<SyncStatus>;
/** Resolves when `check()` is true, re-checked on every update of `doc`; rejects after `timeoutMs`. */
export declare function waitForDoc(doc: Y.Doc, check: () => boolean, timeoutMs?: number): Promise<void>;
/** The JSON of a doc's `entries` map, for comparing replicas. */
export declare function entriesOf(doc: Y.Doc): unknown;
/** Opens an authenticated raw protocol session (no engine) that records every frame it receives. */
export declare function openRawSession(url: string, device: DeviceSigner, onFrame?: (frame: RelayFrame) => void): Promise<{
    session: Readonly<{
        maxFrameBytes: number;
        request: (body: import("../../../shared/sync/relay-connection").RequestBody) => Promise<RelayFrame>;
        send: (body: import("../../../shared/sync/relay-connection").RequestBody) => number;
        close: () => void;
    }>;
    frames: RelayFrame[];
}>;
/** Subscribes a raw session and resolves with the envelope frames up to the head the relay reported. */
export declare function readVault(url: string, device: DeviceSigner, vault: string, from?: number): Promise<{
    head: number;
    envs: Readonly<{
        t: "env";
        seq: number;
        env: {
            vault: string;
            epoch: number;
            author: string;
            counter: number;
            members: number;
            nonce: string;
            ciphertext: string;
            sig: string;
        };
    }>[];
    frames: RelayFrame[];
}>;
/** Rejects with `message` if `promise` does not settle within `ms`. */
export declare function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T>;
