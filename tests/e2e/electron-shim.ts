// Stands in for the `electron` module inside the test page: the only part of the app that cannot
// exist here. The real preload runs on top of it; calls go to the harness's exposeBinding.
type Listener = (event: unknown, ...args: unknown[]) => void;

declare global {
  interface Window {
    __regvaultInvoke: (channel: string, input: unknown) => Promise<unknown>;
    __regvaultEmit: (channel: string, ...args: unknown[]) => void;
  }
}

const listeners = new Map<string, Set<Listener>>();

window.__regvaultEmit = (channel, ...args) => {
  for (const listener of listeners.get(channel) ?? []) listener({}, ...args);
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    Object.defineProperty(window, key, { value: api, enumerable: true });
  },
};

export const ipcRenderer = {
  invoke: (channel: string, input: unknown) => window.__regvaultInvoke(channel, input),
  on(channel: string, listener: Listener): void {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
  },
  off(channel: string, listener: Listener): void {
    listeners.get(channel)?.delete(listener);
  },
};
