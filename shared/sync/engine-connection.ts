// The engine's connection life: connect and authenticate, subscribe (registering the vault first if
// the relay does not know it and this device holds its genesis), hand frames to the inbound queue in
// order, watch for unanswered publishes, and reconnect with exponential backoff and jitter.
import { errorCodes, SyncProtocolError, syncError } from './codes';
import { failFatally, publishStatus, type EngineCore } from './engine-core';
import { handleRelayFrame } from './engine-inbound';
import { openRelayConnection, type RelayConnection } from './relay-connection';
import type { RelayFrame } from './wire-frames';

// Handshake failures the status shows (an unreachable relay stays plain "offline").
const refusedAuthCodes = new Set<number>([
  errorCodes.authFailed,
  errorCodes.wrongRelay,
  errorCodes.unsupportedVersion,
  errorCodes.relayUrlRefused,
  errorCodes.deviceNotAllowed,
  errorCodes.tooManyConnections,
]);

/** Retry bounds, all in ms. */
export type RetrySettings = Readonly<{ initialMs: number; maxMs: number; timeoutMs: number }>;

/** Keeps one engine connected; every callback from an older connection is ignored by its generation. */
export class EngineConnection {
  private attempt = 0;
  /** Failed or lost connections so far: picks the relay address to try (relayUrl, then each fallback in turn). */
  private failovers = 0;
  private generation = 0;
  private inbound: Promise<void> = Promise.resolve();
  private cancelRetry: (() => void) | null = null;
  private cancelWatch: (() => void) | null = null;

  /** Wraps the engine's core with the given retry settings. */
  constructor(
    private readonly core: EngineCore,
    private readonly retry: RetrySettings,
  ) {}

  /** Resolves once every frame received so far has been handled. */
  drained(): Promise<void> {
    return this.inbound;
  }

  /** Drops the connection and cancels timers; callbacks still in flight become no-ops. */
  stop(): void {
    this.generation++;
    this.cancelRetry?.();
    this.cancelWatch?.();
    this.core.session?.close();
    this.core.session = null;
  }

  /** Opens a connection and subscribes; on failure, schedules the next attempt. */
  async connect(): Promise<void> {
    const core = this.core;
    if (core.phase.is('stopped') || core.fatal) return;
    const gen = ++this.generation;
    let session: RelayConnection;
    try {
      session = await openRelayConnection({
        url: this.relayUrl(),
        connect: core.options.connect,
        signer: core.options.device,
        clock: core.options.clock,
        timeoutMs: this.retry.timeoutMs,
        onFrame: (frame) => this.enqueueFrame(gen, frame),
        onClose: () => this.onDisconnect(gen),
      });
    } catch (error) {
      this.reportHandshakeFailure(error);
      // A socket that closed during the handshake was already counted (and retried) by onDisconnect:
      // counting it twice would skip the next address, and with two addresses never leave the first.
      if (gen === this.generation) {
        this.failovers++;
        this.scheduleReconnect();
      }
      return;
    }
    if (gen !== this.generation) return session.close();
    core.session = session;
    await this.inbound;
    if (await this.subscribe(session)) this.attempt = 0;
    this.watchAcks(gen, session, undefined);
  }

  /** Shows why the relay did not let this device in; an address this app refuses is final (nothing to retry). */
  private reportHandshakeFailure(error: unknown): void {
    if (!(error instanceof SyncProtocolError) || !refusedAuthCodes.has(error.code)) return;
    const reported = syncError(error.code, error.message);
    if (error.code === errorCodes.relayUrlRefused) return failFatally(this.core, reported);
    this.core.transient = reported;
    publishStatus(this.core);
  }

  private enqueueFrame(gen: number, frame: RelayFrame): void {
    this.inbound = this.inbound
      .then(() => (gen === this.generation ? handleRelayFrame(this.core, frame) : undefined))
      .catch((error: unknown) => {
        this.core.transient = syncError(errorCodes.internal, `could not apply a relay frame: ${String(error)}`);
        this.core.session?.close();
      });
  }

  private scheduleReconnect(): void {
    const core = this.core;
    if (core.phase.is('stopped') || core.fatal) return;
    const base = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    const jitter = ((core.options.random(1)[0] ?? 0) / 255) * 0.5 + 0.5;
    this.cancelRetry?.();
    this.cancelRetry = core.options.clock.schedule(Math.round(base * jitter), () => void this.connect());
  }

  private relayUrl(): string {
    const urls = [this.core.options.relayUrl, ...(this.core.options.fallbackRelayUrls ?? [])];
    return urls[this.failovers % urls.length] ?? this.core.options.relayUrl;
  }

  private onDisconnect(gen: number): void {
    if (gen !== this.generation) return;
    this.generation++;
    this.failovers++;
    const core = this.core;
    core.session = null;
    core.outbox.connectionLost();
    if (!core.phase.is('stopped')) core.phase.enter('offline');
    publishStatus(core);
    this.scheduleReconnect();
  }

  /** Closes a connection whose oldest unacknowledged publish stayed unanswered for a whole period. */
  private watchAcks(gen: number, session: RelayConnection, lowest: number | undefined): void {
    this.cancelWatch?.();
    this.cancelWatch = this.core.options.clock.schedule(this.retry.timeoutMs, () => {
      if (gen !== this.generation) return;
      const now = this.core.outbox.oldestInFlight();
      if (now !== undefined && now === lowest) session.close();
      else this.watchAcks(gen, session, now);
    });
  }

  private async subscribe(session: RelayConnection): Promise<boolean> {
    const core = this.core;
    try {
      await session.request({
        t: 'subscribe',
        vault: core.options.vaultId,
        from: core.position.head,
        members: core.members.length,
      });
      return true;
    } catch (error) {
      const code = error instanceof SyncProtocolError ? error.code : errorCodes.internal;
      const genesis = core.members[0];
      if (code === errorCodes.unknownVault && genesis?.subject === core.me && !core.registerTried) {
        core.registerTried = true;
        try {
          await session.request({ t: 'register', record: genesis });
          return await this.subscribe(session);
        } catch {
          // Reported below through the subscription error.
        }
      }
      if (code !== errorCodes.connectionClosed) {
        core.transient = syncError(code, error instanceof Error ? error.message : String(error));
      }
      session.close();
      return false;
    }
  }
}
