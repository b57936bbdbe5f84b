import { describe, expect, it } from 'vitest';
import { describeShortcut, isMacPlatform, matchShortcut, type KeyPress } from './shortcuts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('matchShortcut', () => {
  it('uses Ctrl on Windows and Linux, ⌘ on macOS', () => {
    expect(matchShortcut(press('n', { ctrlKey: true }), false)).toBe('add-registry');
    expect(matchShortcut(press('F', { ctrlKey: true }), false)).toBe('focus-search');
    expect(matchShortcut(press('n', { metaKey: true }), true)).toBe('add-registry');
    expect(matchShortcut(press('n', { metaKey: true }), false)).toBeNull();
    expect(matchShortcut(press('n', { ctrlKey: true }), true)).toBeNull();
  });

  it('ignores other keys and extra modifiers', () => {
    expect(matchShortcut(press('n'), false)).toBeNull();
    expect(matchShortcut(press('x', { ctrlKey: true }), false)).toBeNull();
    expect(matchShortcut(press('n', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
    expect(matchShortcut(press('f', { ctrlKey: true, altKey: true }), false)).toBeNull();
  });

  it('names the shortcut per platform', () => {
    expect(describeShortcut('add-registry', false)).toEqual({ aria: 'Control+N', text: 'Ctrl+N' });
    expect(describeShortcut('focus-search', true)).toEqual({ aria: 'Meta+F', text: '⌘F' });
    expect(isMacPlatform('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)')).toBe(true);
    expect(isMacPlatform('Mozilla/5.0 (X11; Linux x86_64)')).toBe(false);
  });
});
