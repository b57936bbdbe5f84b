/** The vault screen's keyboard shortcuts: Ctrl+N (⌘N on macOS) adds a registry, Ctrl+F (⌘F) focuses search. */
export type Shortcut = 'add-registry' | 'focus-search';

/** The parts of a KeyboardEvent a shortcut depends on. */
export type KeyPress = Readonly<{
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}>;

const KEYS: Readonly<Record<string, Shortcut>> = { n: 'add-registry', f: 'focus-search' };

/** True on macOS, where shortcuts use ⌘ instead of Ctrl. */
export function isMacPlatform(userAgent: string): boolean {
  return /Mac|iPhone|iPad/.test(userAgent);
}

/** The shortcut a key press means, or null. Only the platform's modifier, alone, counts. */
export function matchShortcut(press: KeyPress, mac: boolean): Shortcut | null {
  const modifier = mac ? press.metaKey && !press.ctrlKey : press.ctrlKey && !press.metaKey;
  if (!modifier || press.altKey || press.shiftKey) return null;
  return KEYS[press.key.toLowerCase()] ?? null;
}

/** How a shortcut is announced (`aria-keyshortcuts`) and shown (tooltips) on this platform. */
export function describeShortcut(shortcut: Shortcut, mac: boolean): Readonly<{ aria: string; text: string }> {
  const key = shortcut === 'add-registry' ? 'N' : 'F';
  return mac ? { aria: `Meta+${key}`, text: `⌘${key}` } : { aria: `Control+${key}`, text: `Ctrl+${key}` };
}
