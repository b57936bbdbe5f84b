import type { RendererApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    /** The only door to the main process, built by the preload from the shared contract. */
    readonly regvault: RendererApi;
  }
}

export {};
