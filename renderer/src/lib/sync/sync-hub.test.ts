import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { recordActivity } from '../../../../shared/entries/activity';
import { createManualContext } from '../../../../shared/entries/test-context';
import { ok } from '../../../../shared/result';
import { nodeSyncPorts, relayForSuite } from '../../../../tests/integration/sync/renderer-suite';
import { VaultStore, type UnlockedProfile } from '../vault-db';
import { SyncHub, type VaultSyncView } from './sync-hub';
import { describeIndicator } from './sync-status';
import { valueOf } from '../../../../shared/test-result';

// The hub with the renderer's store (fake IndexedDB) and WebCrypto, against a real relay process.

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const ports = nodeSyncPorts;
const suite = relayForSuite();
const cleanup = suite.cleanup;

type Device = { session: UnlockedProfile; hub: SyncHub; views: Map<string, VaultSyncView>; waitFor: Waiter };
type Waiter = (vaultId: string, text: string) => Promise<void>;

async function device(): Promise<Device> {
  const store = new VaultStore({ dbName: `hub-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  const session = valueOf(await store.createProfile('pw'));
  const views = new Map<string, VaultSyncView>();
  const waiting = new Set<() => void>();
  const hub = new SyncHub(session, ports, (id, view) => {
    views.set(id, view);
    for (const check of waiting) check();
  });
  cleanup.push(async () => {
    await hub.stop();
    await store.close();
  });
  const waitFor: Waiter = (vaultId, text) =>
    new Promise((resolve, reject) => {
      const said = () => {
        const view = views.get(vaultId);
        return view ? describeIndicator(view.indicator) : 'none';
      };
      const timer = setTimeout(() => reject(new Error(`still "${said()}", not "${text}"`)), 15_000);
      const check = () => {
        if (said() !== text) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      check();
    });
  return { session, hub, views, waitFor };
}

function waitForEntry(doc: Y.Doc, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const map = doc.getMap('entries');
    const timer = setTimeout(() => reject(new Error(`entry ${id} did not arrive`)), 15_000);
    const check = () => {
      if (!map.has(id)) return;
      clearTimeout(timer);
      doc.off('update', check);
      resolve();
    };
    doc.on('update', check);
    check();
  });
}

/** Adds a bare entry as the device's app would sign it: with its activity item, under its own key. */
const put = (doc: Y.Doc, owner: { session: UnlockedProfile }, id: string) =>
  doc.transact(() => {
    const registry = `${id}.example.com`;
    doc.getMap('entries').set(id, new Y.Map([['registry', registry]]));
    const actor = encodeBase64(owner.session.identity.signing);
    const ctx = createManualContext(actor, Date.now(), `activity-${id}`);
    recordActivity(doc, 'added', [{ id, registry }], ctx);
  });

describe('sync hub', () => {
  it('syncs a vault, links a second device that receives it, and survives a restart of the hub', async () => {
    const a = await device();
    const b = await device();
    const vault = valueOf(await a.session.createVault('Team'));
    const docA = valueOf(await a.session.openVault(vault.id)).doc;
    put(docA, a, 'before');
    await a.hub.start();
    expect(a.views.get(vault.id)?.indicator).toEqual({ kind: 'off' });

    expect(await a.hub.link(vault.id, b.hub.startPairing().code)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^Turn on sync/) },
    });
    expect(await a.hub.configure(vault.id, { relayUrl: 'http://nope', enabled: true })).toMatchObject({
      error: { code: 'configure-failed', message: expect.stringMatching(/WebSocket address/) },
    });
    expect(await a.hub.configure(vault.id, { relayUrl: suite.relay().url, enabled: true })).toEqual(ok(undefined));
    await a.waitFor(vault.id, 'Synced');

    expect(await b.hub.receive(suite.relay().url)).toEqual(ok({ imported: [], refused: [] }));
    expect(await a.hub.link(vault.id, 'rv2-typo')).toMatchObject({ ok: false, error: { message: /error 4012/ } });
    const linked = await a.hub.link(vault.id, b.hub.startPairing().code);
    if (!linked.ok) throw new Error(linked.error.message);
    expect(await b.hub.receive(suite.relay().url)).toEqual(
      ok({ imported: [{ vaultId: vault.id, fingerprint: linked.value }], refused: [] }),
    );
    // The grant stays on the relay and its pairing is used: a vault already here is not reported again.
    expect(await b.hub.receive(suite.relay().url)).toEqual(ok({ imported: [], refused: [] }));
    expect(valueOf(await b.session.listVaults()).map((v) => v.name)).toEqual(['Linked vault']);
    const docB = valueOf(await b.session.openVault(vault.id)).doc;
    await waitForEntry(docB, 'before');
    await b.waitFor(vault.id, 'Synced');

    put(docB, b, 'from-b');
    await waitForEntry(docA, 'from-b');

    // A stops (as on lock), edits wait in its store; a new hub sends them.
    await a.hub.stop();
    put(docA, a, 'while-stopped');
    await valueOf(await a.session.openVault(vault.id)).flush();
    const again = new SyncHub(a.session, ports, () => undefined);
    cleanup.push(() => again.stop());
    await again.start();
    await waitForEntry(docB, 'while-stopped');

    // Turning sync off stops the engine; the vault can be forgotten before it is deleted.
    expect(await b.hub.configure(vault.id, { relayUrl: suite.relay().url, enabled: false })).toEqual(ok(undefined));
    expect(b.views.get(vault.id)?.indicator).toEqual({ kind: 'off' });
    await b.hub.forget(vault.id);
    valueOf(await b.session.deleteVault(vault.id));
  });

  it('fails over to another relay address of the vault when the first cannot be reached; a bad one is refused', async () => {
    const a = await device();
    const vault = valueOf(await a.session.createVault('Failover'));
    await a.hub.start();
    expect(
      await a.hub.configure(vault.id, { relayUrl: suite.relay().url, enabled: true, fallbackRelayUrls: ['http://x'] }),
    ).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^Other relay address http:\/\/x: /) } });
    // Nothing listens on port 1: the engine moves on to the next address and syncs there.
    const down = 'ws://127.0.0.1:1';
    const settings = { relayUrl: down, enabled: true, fallbackRelayUrls: [suite.relay().url] };
    expect(await a.hub.configure(vault.id, settings)).toEqual(ok(undefined));
    await a.waitFor(vault.id, 'Synced');
    const stored = valueOf(await a.session.syncState(vault.id));
    expect(await stored.settings()).toEqual(settings);
  });
});
