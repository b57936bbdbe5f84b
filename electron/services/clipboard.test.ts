import { describe, expect, it } from 'vitest';
import { clipboardClearMs, createSecretClipboard } from './clipboard';

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

function memoryClipboard() {
  let text = '';
  return { readText: () => text, writeText: (t: string) => void (text = t) };
}

describe('secret clipboard', async () => {
  it('clears the secret after 30 s', async () => {
    const clip = memoryClipboard();
    const timers = fakeTimers();
    await createSecretClipboard(clip, timers).copySecret('s3cret');
    expect(clip.readText()).toBe('s3cret');
    await timers.advance(clipboardClearMs - 1);
    expect(clip.readText()).toBe('s3cret');
    await timers.advance(1);
    expect(clip.readText()).toBe('');
  });

  it('leaves the clipboard alone when the user copied something else since', async () => {
    const clip = memoryClipboard();
    const timers = fakeTimers();
    await createSecretClipboard(clip, timers).copySecret('s3cret');
    clip.writeText('my own text');
    await timers.advance(clipboardClearMs);
    expect(clip.readText()).toBe('my own text');
  });

  it('a second copy restarts the countdown for the new secret', async () => {
    const clip = memoryClipboard();
    const timers = fakeTimers();
    const service = createSecretClipboard(clip, timers);
    await service.copySecret('first');
    await timers.advance(20_000);
    await service.copySecret('second');
    await timers.advance(20_000);
    expect(clip.readText()).toBe('second');
    await timers.advance(10_000);
    expect(clip.readText()).toBe('');
  });
});
