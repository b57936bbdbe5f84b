/** The part of Electron's clipboard this service uses; the harness passes an in-memory one. */
export type ClipboardLike = Readonly<{
  readText: () => Promise<string> | string;
  writeText: (text: string) => Promise<void> | void;
}>;

/** Timer functions, injectable so tests control time. */
export type Timers = Readonly<{
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}>;

/** How long a copied secret stays on the clipboard. */
export const clipboardClearMs = 30_000;

/**
 * Copies secrets to the clipboard and clears it after `clipboardClearMs` — but only if it still
 * holds that secret, so something the user copied since is never wiped.
 */
export function createSecretClipboard(clipboard: ClipboardLike, timers: Timers = globalThis as unknown as Timers) {
  let pending: unknown = null;
  const clearIfStill = async (secret: string) => {
    if ((await clipboard.readText()) === secret) await clipboard.writeText('');
  };
  return {
    async copySecret(secret: string): Promise<{ clearsInMs: number }> {
      if (pending !== null) timers.clearTimeout(pending);
      await clipboard.writeText(secret);
      pending = timers.setTimeout(() => {
        pending = null;
        void clearIfStill(secret);
      }, clipboardClearMs);
      return { clearsInMs: clipboardClearMs };
    },
  };
}
