// A compromised relay, simulated by rewriting the frames between one device and a real relay: inbound
// frames can be changed, dropped or added; outbound frames can be dropped (the relay then never sees them).
import type { ConnectSocket } from '../../../shared/sync/ports';
import { connectNodeSocket } from './harness';

/** A parsed JSON frame. */
export type Frame = Record<string, unknown> & { t: string };
/** Returns the frame text(s) to deliver, null to drop it, or undefined to pass it unchanged. */
export type Rewrite = (frame: Frame) => string | readonly string[] | null | undefined;
/** Returns true to drop an outbound frame; `inject` delivers a frame to the device as if the relay sent it. */
export type Intercept = (frame: Frame, inject: (frame: object) => void) => boolean;

/** A connect function whose traffic `state.rewrite` (inbound) and `state.intercept` (outbound) control. */
export function createMitm() {
  const state: { rewrite: Rewrite | null; intercept: Intercept | null } = { rewrite: null, intercept: null };
  const connect: ConnectSocket = (url, handlers) => {
    const deliver = (data: string | Uint8Array) => {
      const rewrite = state.rewrite;
      if (!rewrite || typeof data !== 'string') return handlers.onMessage(data);
      const out = rewrite(JSON.parse(data) as Frame);
      if (out === null) return;
      for (const text of typeof out === 'string' ? [out] : (out ?? [data])) handlers.onMessage(text);
    };
    const socket = connectNodeSocket(url, { ...handlers, onMessage: deliver });
    const inject = (frame: object) => queueMicrotask(() => handlers.onMessage(JSON.stringify(frame)));
    return {
      send: (data) => {
        if (state.intercept?.(JSON.parse(data) as Frame, inject)) return;
        socket.send(data);
      },
      close: socket.close,
    };
  };
  return { state, connect };
}
