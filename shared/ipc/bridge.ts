import { channels, methodPath, type Channel, type EventName, type RendererApi } from './contract';
import type { Result } from '../result';

/** What the bridge needs from its transport: Electron's ipcRenderer in the preload, a test binding in the harness. */
export type BridgeTransport = Readonly<{
  invoke: (channel: Channel, input: unknown) => Promise<Result<unknown>>;
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void;
}>;

/** Builds the `window.regvault` object from the contract, so every channel has exactly one method. */
export function buildRendererApi(transport: BridgeTransport): RendererApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(channels) as Channel[]) {
    const [domain, verb] = methodPath(name);
    const methods = (api[domain] ??= {});
    methods[verb] = (input?: unknown) => transport.invoke(name, input);
  }
  const on = (event: EventName, listener: (payload: unknown) => void) =>
    transport.subscribe((name, payload) => {
      if (name === event) listener(payload);
    });
  for (const methods of Object.values(api)) Object.freeze(methods);
  return Object.freeze({ ...api, on }) as unknown as RendererApi;
}
