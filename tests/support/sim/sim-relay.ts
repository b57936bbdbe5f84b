// An in-process relay for simulations: the real connection logic, request handlers, commit queue and
// SQLite store (in memory), reached through in-memory socket pairs whose every frame, open, close and
// commit waits in the scheduler until it is picked. Nothing here is a second relay implementation.
import { acceptConnection, createGuard, type ConnectionEvents, type RelaySocket } from '../../../relay/connection';
import { createRelayContext, type RelayContext } from '../../../relay/context';
import { defaultLimits } from '../../../relay/limits';
import { asyncStoreOver, openRelayDatabase, type SqliteStore } from '../../../relay/sqlite-store';
import type { ConnectSocket, SocketHandlers } from '../../../shared/sync/ports';
import { checkRelayUrl } from '../../../shared/sync/relay-url';
import type { Prng } from '../prng';
import type { FakeClock } from './fake-clock';
import type { Scheduler } from './scheduler';

/** The address simulated devices dial (and sign for). */
export const simRelayUrl = 'ws://127.0.0.1:7000/';

/** The scheduler channel of the relay's group commits (a commit waits there like a frame in flight). */
export const commitChannel = 'relay:commit';

/** A relay running in this process over an in-memory database. */
export type SimRelay = Readonly<{
  /** The store's synchronous SQLite API, for the checks between steps. */
  store: SqliteStore;
  ctx: RelayContext;
  /** The socket factory a device with this id passes to its engine. */
  connectAs: (deviceId: string) => ConnectSocket;
  /** Names of the connections still open at both ends (`<device>.<n>`). */
  openConnections: () => string[];
  /** Cuts a connection: what is in flight is lost and both ends see it close. */
  drop: (connection: string) => void;
  close: () => void;
}>;

/** Starts a relay whose timers, randomness and commits are the simulation's. */
export function createSimRelay(scheduler: Scheduler, clock: FakeClock, prng: Prng): SimRelay {
  const store = openRelayDatabase(':memory:', 'normal');
  const ctx = createRelayContext(asyncStoreOver(store), defaultLimits, clock.now, {
    defer: (flush) => scheduler.post(commitChannel, 'flush', flush),
  });
  const publicUrl = checkRelayUrl(simRelayUrl);
  if (!publicUrl.ok) throw new Error(publicUrl.error.message);
  const settings = {
    maxFrameBytes: 1024 * 1024,
    publicUrl: publicUrl.value,
    guard: createGuard(defaultLimits),
    runtime: { schedule: clock.schedule, elapsed: clock.now, random: prng.bytes },
  };
  const drops = new Map<string, () => void>();
  const counts = new Map<string, number>();
  const connectAs =
    (deviceId: string): ConnectSocket =>
    (_url, handlers) => {
      const n = (counts.get(deviceId) ?? 0) + 1;
      counts.set(deviceId, n);
      const name = `${deviceId}.${n}`;
      const pair = createSocketPair(scheduler, name, handlers, (socket) => acceptConnection(ctx, socket, settings));
      drops.set(name, pair.drop);
      pair.onEnded(() => drops.delete(name));
      return pair.client;
    };
  return {
    store,
    ctx,
    connectAs,
    openConnections: () => [...drops.keys()],
    drop: (connection) => drops.get(connection)?.(),
    close: () => store.close(),
  };
}

/**
 * Both ends of one simulated WebSocket. Client frames travel in channel `<name>>relay`, relay frames
 * in `relay><name>`; a close travels behind the frames sent before it, as a WebSocket close frame does.
 */
function createSocketPair(
  scheduler: Scheduler,
  name: string,
  handlers: SocketHandlers,
  accept: (socket: RelaySocket) => ConnectionEvents,
) {
  const up = `${name}>relay`;
  const down = `relay>${name}`;
  let events: ConnectionEvents | null = null;
  let clientSends = true;
  let relaySends = true;
  let clientEnded = false;
  let relayEnded = false;
  let ended: () => void = () => undefined;
  const endAtRelay = () => {
    relaySends = false;
    if (relayEnded) return;
    relayEnded = true;
    events?.onClose();
    if (clientEnded) ended();
  };
  const endAtClient = (code: number, reason: string) => {
    clientSends = false;
    if (clientEnded) return;
    clientEnded = true;
    handlers.onClose(code, reason);
    if (relayEnded) ended();
  };
  const relaySocket: RelaySocket = {
    send: (text) => {
      if (relaySends) scheduler.post(down, text, () => clientEnded || handlers.onMessage(text));
    },
    close: (code, reason) => {
      if (!relaySends) return;
      relaySends = false;
      scheduler.post(down, `close ${code}`, () => {
        endAtClient(code, reason);
        endAtRelay();
      });
    },
    terminate: () => drop(),
    isOpen: () => relaySends,
    bufferedAmount: () => 0,
  };
  const drop = () => {
    scheduler.note(`drop ${name}`);
    scheduler.discard(up);
    scheduler.discard(down);
    endAtRelay();
    endAtClient(1006, 'connection dropped');
  };
  scheduler.post(up, 'connect', () => {
    scheduler.post(down, 'open', () => clientEnded || handlers.onOpen());
    events = accept(relaySocket);
  });
  const client = {
    send: (text: string) => {
      if (clientSends) scheduler.post(up, text, () => relayEnded || events?.onMessage(Buffer.from(text), false));
    },
    close: (code = 1000, reason = '') => {
      if (!clientSends) return;
      clientSends = false;
      scheduler.post(up, `close ${code}`, () => {
        endAtRelay();
        scheduler.discard(down);
        scheduler.post(down, `closed ${code}`, () => endAtClient(code, reason));
      });
    },
  };
  return { client, drop, onEnded: (callback: () => void) => (ended = callback) };
}
