import { contextBridge, ipcRenderer } from 'electron';
import { buildRendererApi } from '../shared/ipc/bridge';
import { eventChannel, type EventName } from '../shared/ipc/contract';
import type { Result } from '../shared/result';

// The renderer gets domain methods only, never ipcRenderer itself.
const api = buildRendererApi({
  invoke: (channel, input) => ipcRenderer.invoke(channel, input) as Promise<Result<unknown>>,
  subscribe: (listener) => {
    const handler = (_event: unknown, name: EventName, payload: unknown) => listener(name, payload);
    ipcRenderer.on(eventChannel, handler);
    return () => {
      ipcRenderer.off(eventChannel, handler);
    };
  },
});

contextBridge.exposeInMainWorld('regvault', api);
