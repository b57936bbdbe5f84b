// AppState, the owner of the unlocked session, as the Create / Unlock / Settings screens use it: compiled
// as runes (vitest project "runes"), over a real store on fake-indexeddb and a real relay process for sync.
// `window` is an EventTarget (idle lock) with the part of the preload bridge AppState uses.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { KdfCost } from '../../../shared/crypto/kdf';
import type { SocketLike } from '../../../shared/sync/ports';
import { ok } from '../../../shared/result';
import { nodeSyncPorts, relayForSuite } from '../../../tests/integration/sync/renderer-suite';
import { AppState } from './app-state.svelte';
import type { SyncPorts } from './sync/sync-hub';
import type { SyncManager } from './sync/sync-manager.svelte';
import type { SyncIndicator } from './sync/sync-status';
import { VaultStore } from './vault-db';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const PASSPHRASE = 'violet kettle marches under seven quiet lanterns';
const suite = relayForSuite();
// Each test's apps are locked (engines stopped) and their stores closed while the fake window still exists.
const cleanup: (() => Promise<void>)[] = [];

type Listener = (payload: unknown) => void;
let listeners: Map<string, Set<Listener>>;
let clipboardClears: number;

// The bridge events AppState subscribes to (power:suspend, power:lock-screen), the clipboard wipe on lock
// and the reminders' channel.
function fakeWindow() {
  listeners = new Map();
  clipboardClears = 0;
  const regvault = {
    on: (event: string, listener: Listener) => {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    clipboard: { clearSecret: () => Promise.resolve(void clipboardClears++) },
    // The session's reminders (issue #17) report a badge count and may ask for a notification.
    reminder: { notify: () => Promise.resolve(), badge: () => Promise.resolve() },
  };
  return Object.assign(new EventTarget(), {
    regvault,
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle),
  });
}

beforeEach(() => {
  vi.stubGlobal('window', fakeWindow());
});
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
  vi.unstubAllGlobals();
});

/** Sockets the sync engines opened, and whether each was closed. */
type TrackedSocket = { closed: boolean };

/** Resolves when the vault's sync indicator (reactive state) reaches `kind`. */
function indicatorReaches(sync: SyncManager, vaultId: string, kind: SyncIndicator['kind']): Promise<void> {
  return new Promise((resolve) => {
    const stop = $effect.root(() => {
      $effect(() => {
        if (sync.view(vaultId).indicator.kind !== kind) return;
        resolve();
        queueMicrotask(() => stop());
      });
    });
  });
}

function trackingPorts(sockets: TrackedSocket[]): SyncPorts {
  return {
    ...nodeSyncPorts,
    connect: (url, handlers) => {
      const tracked: TrackedSocket = { closed: false };
      sockets.push(tracked);
      const socket: SocketLike = nodeSyncPorts.connect(url, handlers);
      return {
        send: (data) => socket.send(data),
        close: (code, reason) => {
          tracked.closed = true;
          socket.close(code, reason);
        },
      };
    },
  };
}

function newApp(ports: SyncPorts = nodeSyncPorts): { app: AppState; store: VaultStore } {
  const store = new VaultStore({ dbName: `app-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  const app = new AppState(store, ports);
  cleanup.push(async () => {
    await app.lock();
    await store.close();
  });
  return { app, store };
}

it('creates a profile with a first vault; lock drops the open vault and stops sync; unlock opens it again', async () => {
  const sockets: TrackedSocket[] = [];
  const { app } = newApp(trackingPorts(sockets));
  await app.start();
  expect(app.phase).toBe('create');
  expect(await app.create(PASSPHRASE, PASSPHRASE)).toEqual(ok(undefined));
  expect(app.phase).toBe('unlocked');
  const vault = app.vault;
  const sync = app.sync;
  if (!vault || !sync) throw new Error('no open vault after create');
  expect(vault.current?.name).toBe('Personal');
  expect(vault.add({ registry: 'ghcr.io', name: 'GitHub', username: 'octo', secret: 's' }).ok).toBe(true);

  const vaultId = vault.currentId ?? '';
  const synced = indicatorReaches(sync, vaultId, 'synced');
  expect(await sync.configure(vaultId, { relayUrl: suite.relay().url, enabled: true })).toEqual(ok(undefined));
  await synced;
  expect(sockets).toHaveLength(1);

  await app.lock();
  expect([app.phase, app.lockReason, app.session, app.vault, app.sync]).toEqual(['unlock', 'button', null, null, null]);
  expect(vault.list.entries).toEqual([]);
  expect(sockets.map((s) => s.closed)).toEqual([true]);
  expect(clipboardClears).toBe(1);

  expect(await app.unlock(PASSPHRASE)).toEqual(ok(undefined));
  expect(app.vault?.current?.name).toBe('Personal');
  expect(app.vault?.list.entries.map((e) => e.name)).toEqual(['GitHub']);
});

it('refuses a weak or mismatched new passphrase with its code, before creating anything', async () => {
  const { app, store } = newApp();
  await app.start();
  expect(await app.create('short', 'short')).toMatchObject({ ok: false, error: { code: 'passphrase-weak' } });
  expect(await app.create(PASSPHRASE, `${PASSPHRASE}!`)).toMatchObject({
    ok: false,
    error: { code: 'passphrase-mismatch' },
  });
  expect(app.phase).toBe('create');
  expect(await store.hasProfile()).toBe(false);
});

it('a wrong passphrase fails with its code and message, and the third one sets the wait', async () => {
  const { app } = newApp();
  await app.start();
  expect(await app.create(PASSPHRASE, PASSPHRASE)).toEqual(ok(undefined));
  await app.lock();

  expect(await app.unlock('')).toMatchObject({ ok: false, error: { code: 'empty-passphrase' } });
  expect(app.error).toBe('Enter your passphrase.');
  for (const attempt of [1, 2]) {
    const result = await app.unlock(`wrong ${attempt}`);
    expect(result).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } });
    expect(app.error).toMatch(/^Wrong passphrase/);
    expect(app.retryAt).toBe(0);
  }
  const before = Date.now();
  expect(await app.unlock('wrong 3')).toMatchObject({ ok: false, error: { code: 'wrong-passphrase' } });
  expect(app.error).toMatch(/^Wrong passphrase\. Wait 1 s/);
  expect(app.retryAt).toBeGreaterThan(before);
  // Even the right passphrase is refused while the wait lasts, with its own code.
  expect(await app.unlock(PASSPHRASE)).toMatchObject({ ok: false, error: { code: 'unlock-throttled' } });
  expect([app.phase, app.session]).toEqual(['unlock', null]);
});

it('auto-lock minutes: whole minutes from 1 to 1440 are stored and kept; anything else fails with its code', async () => {
  const { app } = newApp();
  await app.start();
  expect(await app.create(PASSPHRASE, PASSPHRASE)).toEqual(ok(undefined));
  const refused = 'Set auto-lock to a whole number of minutes from 1 to 1440.';
  for (const minutes of [0, -5, 1.5, 1441, Number.NaN]) {
    expect(await app.setAutoLockMinutes(minutes)).toMatchObject({
      ok: false,
      error: { code: 'invalid-settings', message: refused },
    });
  }
  expect(app.session?.settings.autoLockMinutes).toBe(10);
  expect(await app.setAutoLockMinutes(1440)).toEqual(ok(undefined));
  expect(await app.setAutoLockMinutes(25)).toEqual(ok(undefined));
  await app.lock();
  expect(await app.setAutoLockMinutes(30)).toMatchObject({ ok: false, error: { code: 'locked' } });
  expect(await app.unlock(PASSPHRASE)).toEqual(ok(undefined));
  expect(app.session?.settings.autoLockMinutes).toBe(25);
});

it('locks on suspend and on screen lock reported by main, saying why', async () => {
  const { app } = newApp();
  await app.start();
  expect(await app.create(PASSPHRASE, PASSPHRASE)).toEqual(ok(undefined));
  // Lock takes effect at once (the wiping finishes after): nothing to wait for before the screen changes.
  for (const listener of listeners.get('power:suspend') ?? []) listener(undefined);
  expect([app.phase, app.lockReason]).toEqual(['unlock', 'suspend']);
  expect(await app.unlock(PASSPHRASE)).toEqual(ok(undefined));
  for (const listener of listeners.get('power:lock-screen') ?? []) listener(undefined);
  expect([app.phase, app.lockReason, app.vault]).toEqual(['unlock', 'lock-screen', null]);
});
