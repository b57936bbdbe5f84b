import { describe, expect, it } from 'vitest';
import { adaptElectronClipboard, createSecretClipboard, type ClipboardPayload } from './clipboard';
import { memoryClipboard } from './fixtures/memory-clipboard';

/** How long a secret stays on the clipboard (docs/clipboard.md). */
const clearMs = 30_000;
/** Electron's name for a raw platform clipboard format (docs/api/clipboard.md). */
const osFormat = (name: string) => `electron application/osclipboard;format="${name}"`;

function fakeTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    setTimeout: (fn: () => void, ms: number) => {
      queue.push({ at: now + ms, fn, id: next });
      return next++;
    },
    clearTimeout: (id: unknown) => {
      const index = queue.findIndex((t) => t.id === id);
      if (index >= 0) queue.splice(index, 1);
    },
    pending: () => queue.length,
    async advance(ms: number) {
      now += ms;
      for (const t of queue.filter((t) => t.at <= now)) {
        queue.splice(queue.indexOf(t), 1);
        t.fn();
      }
      await new Promise((done) => setImmediate(done));
    },
  };
}

/** Records calls the way Electron's clipboard module receives them: ClipboardItem objects. */
function recordingElectronClipboard() {
  class FakeClipboardItem {
    constructor(readonly items: ClipboardPayload) {}
  }
  const calls: { method: string; items?: FakeClipboardItem[] }[] = [];
  let text = '';
  const electron = {
    readText: () => Promise.resolve(text),
    write: (items: FakeClipboardItem[]) => {
      calls.push({ method: 'write', items });
      const plain = items[0]?.items['text/plain'];
      text = typeof plain === 'string' ? plain : '';
      return Promise.resolve();
    },
    clear: () => {
      calls.push({ method: 'clear' });
      text = '';
    },
  };
  const adapted = adaptElectronClipboard(electron, (payload) => new FakeClipboardItem(payload));
  return { adapted, calls, copyElsewhere: (value: string) => void (text = value), text: () => text };
}

async function bytesOf(value: string | Blob | undefined): Promise<number[]> {
  if (!(value instanceof Blob)) throw new Error('expected raw bytes');
  return [...new Uint8Array(await value.arrayBuffer())];
}

describe('secret clipboard: what is written', () => {
  it('writes the text and the macOS conceal/transient markers as ONE clipboard item', async () => {
    const electron = recordingElectronClipboard();
    await createSecretClipboard(electron.adapted, 'darwin', fakeTimers()).copySecret('s3cret');
    expect(electron.calls).toHaveLength(1);
    expect(electron.calls[0]?.method).toBe('write');
    expect(electron.calls[0]?.items).toHaveLength(1);
    expect(Object.keys(electron.calls[0]?.items?.[0]?.items ?? {}).sort()).toEqual([
      'electron application/osclipboard;format="org.nspasteboard.ConcealedType"',
      'electron application/osclipboard;format="org.nspasteboard.TransientType"',
      'text/plain',
    ]);
    expect(electron.calls[0]?.items?.[0]?.items['text/plain']).toBe('s3cret');
  });

  it('on Windows adds the history and cloud-clipboard exclusion formats, as DWORD 0', async () => {
    const electron = recordingElectronClipboard();
    await createSecretClipboard(electron.adapted, 'win32', fakeTimers()).copySecret('s3cret');
    const item = electron.calls[0]?.items?.[0]?.items ?? {};
    for (const name of [
      'ExcludeClipboardContentFromMonitorProcessing',
      'CanIncludeInClipboardHistory',
      'CanUploadToCloudClipboard',
    ]) {
      expect(await bytesOf(item[osFormat(name)])).toEqual([0, 0, 0, 0]);
    }
    expect(item['text/plain']).toBe('s3cret');
  });

  it("on Linux adds KDE Klipper's password-manager hint", async () => {
    const electron = recordingElectronClipboard();
    await createSecretClipboard(electron.adapted, 'linux', fakeTimers()).copySecret('s3cret');
    expect(electron.calls[0]?.items?.[0]?.items).toEqual({
      'text/plain': 's3cret',
      'electron application/osclipboard;format="x-kde-passwordManagerHint"': 'secret',
    });
  });

  it('never puts the secret into a marker format', async () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const electron = recordingElectronClipboard();
      await createSecretClipboard(electron.adapted, platform, fakeTimers()).copySecret('s3cret');
      const { 'text/plain': plain, ...markers } = electron.calls[0]?.items?.[0]?.items ?? {};
      expect(plain).toBe('s3cret');
      expect(Object.keys(markers).length).toBeGreaterThan(0);
      expect(Object.values(markers)).not.toContain('s3cret');
    }
  });
});

describe('secret clipboard: when it is cleared', () => {
  it('clears the secret after 30 s', async () => {
    const memory = memoryClipboard();
    const timers = fakeTimers();
    await createSecretClipboard(memory.clipboard, 'linux', timers).copySecret('s3cret');
    expect(memory.text()).toBe('s3cret');
    await timers.advance(clearMs - 1);
    expect(memory.text()).toBe('s3cret');
    await timers.advance(1);
    expect(memory.text()).toBe('');
    expect(memory.log.at(-1)).toEqual({ kind: 'clear' });
  });

  it('leaves the clipboard alone when the user copied something else since', async () => {
    const memory = memoryClipboard();
    const timers = fakeTimers();
    await createSecretClipboard(memory.clipboard, 'linux', timers).copySecret('s3cret');
    memory.copyElsewhere('my own text');
    await timers.advance(clearMs);
    expect(memory.text()).toBe('my own text');
    expect(memory.log.filter((entry) => entry.kind === 'clear')).toEqual([]);
  });

  it('a second copy restarts the countdown for the new secret', async () => {
    const memory = memoryClipboard();
    const timers = fakeTimers();
    const service = createSecretClipboard(memory.clipboard, 'linux', timers);
    await service.copySecret('first');
    await timers.advance(20_000);
    await service.copySecret('second');
    await timers.advance(20_000);
    expect(memory.text()).toBe('second');
    await timers.advance(10_000);
    expect(memory.text()).toBe('');
  });

  it('clearSecret (lock, quit) clears at once when the clipboard still holds our secret', async () => {
    const electron = recordingElectronClipboard();
    const timers = fakeTimers();
    const service = createSecretClipboard(electron.adapted, 'linux', timers);
    await service.copySecret('s3cret');
    await expect(service.clearSecret()).resolves.toEqual({ cleared: true });
    expect(electron.text()).toBe('');
    expect(electron.calls.map((call) => call.method)).toEqual(['write', 'clear']);
    expect(timers.pending()).toBe(0);
  });

  it('clearSecret leaves what the user copied since, and does nothing when nothing was copied', async () => {
    const electron = recordingElectronClipboard();
    const service = createSecretClipboard(electron.adapted, 'linux', fakeTimers());
    await expect(service.clearSecret()).resolves.toEqual({ cleared: false });
    await service.copySecret('s3cret');
    electron.copyElsewhere('my own text');
    await expect(service.clearSecret()).resolves.toEqual({ cleared: false });
    expect(electron.text()).toBe('my own text');
    expect(electron.calls.map((call) => call.method)).toEqual(['write']);
  });

  it('after clearSecret, the same text copied by the user later is not ours to clear', async () => {
    const memory = memoryClipboard();
    const service = createSecretClipboard(memory.clipboard, 'linux', fakeTimers());
    await service.copySecret('s3cret');
    await service.clearSecret();
    memory.copyElsewhere('s3cret');
    await expect(service.clearSecret()).resolves.toEqual({ cleared: false });
    expect(memory.text()).toBe('s3cret');
  });
});
