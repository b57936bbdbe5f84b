/**
 * Everything written to the clipboard in one go: MIME types (`text/plain`) and raw platform
 * formats (`electron application/osclipboard;format="…"`), each a string or raw bytes.
 */
export type ClipboardPayload = Readonly<Record<string, string | Blob>>;

/** What the secret clipboard needs from the system clipboard; the harness passes an in-memory one. */
export type ClipboardLike = Readonly<{
  readText: () => Promise<string> | string;
  /** Writes every format of the payload atomically (one clipboard entry), replacing what was there. */
  write: (payload: ClipboardPayload) => Promise<void> | void;
  clear: () => Promise<void> | void;
}>;

/** Electron's `clipboard` module as this service uses it (Electron ≥ 44: W3C-shaped and async). */
export type ElectronClipboard<Item> = Readonly<{
  readText: () => Promise<string>;
  write: (items: Item[]) => Promise<void>;
  clear: () => void;
}>;

/** Timer functions, injectable so tests control time. */
export type Timers = Readonly<{
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}>;

// How long a copied secret stays on the clipboard.
const clipboardClearMs = 30_000;

// Electron's name for a raw platform clipboard format (docs/api/clipboard.md, Electron ≥ 44).
function osClipboardFormat(name: string): string {
  return `electron application/osclipboard;format="${name}"`;
}

// A little-endian DWORD 0, the value Windows' clipboard-history formats expect.
const dwordZero = () => new Blob([new Uint8Array(4)]);

/**
 * The formats that keep a copied secret out of clipboard history and cloud sync, per platform
 * (docs/clipboard.md): macOS nspasteboard.org markers (Maccy, Alfred, Raycast, Paste… honour them),
 * Windows' history/cloud-clipboard formats, KDE Klipper's password hint. GNOME has no standard.
 */
function concealedFormats(platform: NodeJS.Platform): ClipboardPayload {
  switch (platform) {
    case 'darwin':
      return {
        [osClipboardFormat('org.nspasteboard.ConcealedType')]: 'regvault',
        [osClipboardFormat('org.nspasteboard.TransientType')]: 'regvault',
      };
    case 'win32':
      return {
        [osClipboardFormat('ExcludeClipboardContentFromMonitorProcessing')]: dwordZero(),
        [osClipboardFormat('CanIncludeInClipboardHistory')]: dwordZero(),
        [osClipboardFormat('CanUploadToCloudClipboard')]: dwordZero(),
      };
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return { [osClipboardFormat('x-kde-passwordManagerHint')]: 'secret' };
    default:
      return {};
  }
}

/**
 * Adapts Electron's clipboard: one `ClipboardItem` carrying every format, because each separate
 * write replaces the whole clipboard (the text and its "conceal" markers must land together).
 */
export function adaptElectronClipboard<Item>(
  clipboard: ElectronClipboard<Item>,
  makeItem: (payload: ClipboardPayload) => Item,
): ClipboardLike {
  return {
    readText: () => clipboard.readText(),
    write: (payload) => clipboard.write([makeItem(payload)]),
    clear: () => clipboard.clear(),
  };
}

/**
 * Copies secrets to the clipboard, hidden from clipboard history where the platform allows, and
 * clears them after `clipboardClearMs`, on lock and on quit — but only if the clipboard still holds
 * that secret, so something the user copied since is never wiped.
 */
export function createSecretClipboard(
  clipboard: ClipboardLike,
  platform: NodeJS.Platform,
  timers: Timers = globalThis as unknown as Timers,
) {
  let held: string | null = null;
  let pending: unknown = null;
  const cancelTimer = () => {
    if (pending !== null) timers.clearTimeout(pending);
    pending = null;
  };
  const clearSecret = async (): Promise<{ cleared: boolean }> => {
    cancelTimer();
    const secret = held;
    held = null;
    if (secret === null || (await clipboard.readText()) !== secret) return { cleared: false };
    await clipboard.clear();
    return { cleared: true };
  };
  return {
    async copySecret(secret: string): Promise<{ clearsInMs: number }> {
      cancelTimer();
      await clipboard.write({ 'text/plain': secret, ...concealedFormats(platform) });
      held = secret;
      // A failed read at the deadline leaves the clipboard as it is; nothing to report to anyone.
      pending = timers.setTimeout(() => void clearSecret().catch(() => undefined), clipboardClearMs);
      return { clearsInMs: clipboardClearMs };
    },
    /** Clears the clipboard if it still holds the secret copied last; says whether it did. */
    clearSecret,
  };
}

/** The secret clipboard service: copy, and clear on timeout, lock and quit. */
export type SecretClipboard = ReturnType<typeof createSecretClipboard>;
