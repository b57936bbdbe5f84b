// A seeded, lossy-by-choice network between test clients and a real relay: every frame is delayed by a
// random amount (order kept per direction, as TCP does), and a client can be cut off — its sockets
// dropped, its reconnects refused — until it is put back online.
import WebSocket from 'ws';
import type { ConnectSocket, SocketHandlers } from '../../../shared/sync/ports';

import type { Prng } from '../../support/prng';

export { createPrng, type Prng } from '../../support/prng';

type Step = () => void;

/** Runs steps in order, each not before its due time (a FIFO with one timer). */
function createDelayLine(delay: () => number) {
  const queue: { at: number; step: Step }[] = [];
  let timer: NodeJS.Timeout | null = null;
  let last = 0;
  const pump = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && (queue[0]?.at ?? 0) <= now) queue.shift()?.step();
    if (queue.length) timer = setTimeout(pump, (queue[0]?.at ?? now) - now);
  };
  return {
    push: (step: Step) => {
      last = Math.max(last, Date.now() + delay());
      queue.push({ at: last, step });
      if (!timer) timer = setTimeout(pump, Math.max(0, last - Date.now()));
    },
    clear: () => {
      queue.length = 0;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** A simulated network; `maxDelayMs` bounds the random per-frame delay. */
export function createSimulatedNetwork(prng: Prng, maxDelayMs: number) {
  const online = new Map<string, boolean>();
  const sockets = new Map<string, Set<() => void>>();

  function connectAs(clientId: string): ConnectSocket {
    return (url: string, handlers: SocketHandlers) => {
      if (online.get(clientId) === false) {
        setImmediate(() => handlers.onClose(1006, 'offline'));
        return { send: () => undefined, close: () => undefined };
      }
      const inbound = createDelayLine(() => prng.int(maxDelayMs + 1));
      const outbound = createDelayLine(() => prng.int(maxDelayMs + 1));
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      let dropped = false;
      const drop = () => {
        if (dropped) return;
        dropped = true;
        inbound.clear();
        outbound.clear();
        ws.terminate();
        handlers.onClose(1006, 'network dropped');
      };
      const set = sockets.get(clientId) ?? new Set();
      sockets.set(clientId, set);
      set.add(drop);
      ws.on('open', () => inbound.push(handlers.onOpen));
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        inbound.push(() => handlers.onMessage(text));
      });
      ws.on('close', (code, reason) =>
        inbound.push(() => {
          set.delete(drop);
          if (!dropped) handlers.onClose(code, reason.toString());
          dropped = true;
        }),
      );
      ws.on('error', () => undefined);
      return {
        send: (data: string) => outbound.push(() => ws.readyState === WebSocket.OPEN && ws.send(data)),
        close: (code?: number, reason?: string) => outbound.push(() => ws.close(code ?? 1000, reason)),
      };
    };
  }

  return {
    connectAs,
    /** Cuts a client off (dropping its sockets) or lets it reconnect. */
    setOnline: (clientId: string, value: boolean) => {
      online.set(clientId, value);
      if (!value) for (const drop of [...(sockets.get(clientId) ?? [])]) drop();
    },
    isOnline: (clientId: string) => online.get(clientId) !== false,
  };
}
