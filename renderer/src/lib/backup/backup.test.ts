import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { isVaultError } from '../../../../shared/crypto/errors';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { addEntry, editEntry, getEntriesMap, listEntries, readSecretHistory } from '../../../../shared/entries';
import { createManualContext } from '../../../../shared/entries/test-context';
import { createGenesisRecord } from '../../../../shared/sync/members';
import { valueOf } from '../../../../shared/test-result';
import { VaultStore, type UnlockedProfile } from '../vault-db';
import { makeBackupFile } from './collect-backup';
import { listRestoreCandidates, openBackupFile, restoreVaults } from './restore-backup';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const task of cleanup.splice(0)) await task();
});

async function profile(passphrase = 'pw'): Promise<UnlockedProfile> {
  const store = new VaultStore({ dbName: `backup-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
  cleanup.push(() => store.close());
  return valueOf(await store.createProfile(passphrase));
}

/** A profile with a personal vault (two entries, one rotated twice) and a team vault (its member log stored). */
async function filledProfile() {
  const session = await profile();
  const personal = valueOf(await session.createVault('Personal'));
  const team = valueOf(await session.createVault('Production'));
  const ctx = createManualContext('me');
  const doc = valueOf(await session.openVault(personal.id)).doc;
  const hub = valueOf(addEntry(doc, { registry: 'docker.io', username: 'me', secret: 'hub-1', notes: 'note' }, ctx));
  editEntry(doc, hub.id, { secret: 'hub-2' }, ctx);
  editEntry(doc, hub.id, { secret: 'hub-3' }, ctx);
  addEntry(doc, { registry: 'ghcr.io', username: 'bot', secret: 'gh-secret' }, ctx);
  const teamDoc = valueOf(await session.openVault(team.id)).doc;
  addEntry(teamDoc, { registry: 'registry.example.com:5000', username: 'ci', secret: 'team-secret' }, ctx);
  const sync = valueOf(await session.syncState(team.id));
  await sync.saveSettings({ relayUrl: 'ws://127.0.0.1:9999', enabled: true });
  await sync.initialize([await createGenesisRecord(team.id, await session.deviceSigner())]);
  sync.wipe();
  return { session, personal, team, hubId: hub.id };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isVaultError(error) ? error.code : String(error);
  }
  return undefined;
}

function jsonOf(doc: Y.Doc) {
  return { entries: getEntriesMap(doc).toJSON(), activity: doc.getMap('activity').toJSON() };
}

const opener = { passphrase: 'backup passphrase' };

describe('backup and restore', () => {
  it('restores two vaults (one team vault) into a fresh profile: every entry, secret and history equal', async () => {
    const { session, personal, team, hubId } = await filledProfile();
    const file = await makeBackupFile(
      session,
      [personal.id, team.id],
      { kind: 'passphrase', ...opener },
      nacl.randomBytes,
    );
    const fresh = await profile('other');
    const payload = await openBackupFile(file, opener, { testOnlyKdfFloor: fastKdf });
    const candidates = await listRestoreCandidates(fresh, payload);
    expect(candidates.map((c) => [c.name, c.entries, c.team, c.exists])).toEqual([
      ['Personal', 2, false, false],
      ['Production', 1, true, false],
    ]);
    const report = await restoreVaults(fresh, payload, [personal.id, team.id]);
    expect(report.map((r) => [r.outcome, r.added])).toEqual([
      ['restored', 2],
      ['restored', 1],
    ]);
    // The team vault comes back linked to its relay and says what this (other) device must do.
    expect(report[1]?.note).toMatch(/ask them to invite you/);
    for (const id of [personal.id, team.id]) {
      const before = valueOf(await session.openVault(id)).doc;
      const after = valueOf(await fresh.openVault(id)).doc;
      expect(jsonOf(after)).toEqual(jsonOf(before));
    }
    const restored = valueOf(await fresh.openVault(personal.id)).doc;
    expect(readSecretHistory(restored, hubId).map((p) => p.value)).toEqual(['hub-2', 'hub-1']);
    const sync = valueOf(await fresh.syncState(team.id));
    expect(await sync.settings()).toEqual({ relayUrl: 'ws://127.0.0.1:9999', enabled: true });
    expect((await sync.cursor())?.members).toHaveLength(1);
    sync.wipe();
  });

  it('restoring the same backup twice adds nothing (merge), or makes a separate copy when asked', async () => {
    const { session, personal } = await filledProfile();
    const file = await makeBackupFile(session, [personal.id], { kind: 'passphrase', ...opener }, nacl.randomBytes);
    const fresh = await profile();
    const payload = await openBackupFile(file, opener, { testOnlyKdfFloor: fastKdf });
    await restoreVaults(fresh, payload, [personal.id]);
    const again = await restoreVaults(fresh, payload, [personal.id]);
    expect(again).toMatchObject([{ outcome: 'merged', added: 0 }]);
    expect(listEntries(valueOf(await fresh.openVault(personal.id)).doc).entries).toHaveLength(2);
    // Merging into the original, which changed since, keeps its change and adds nothing.
    const doc = valueOf(await session.openVault(personal.id)).doc;
    addEntry(doc, { registry: 'quay.io', username: 'q', secret: 'q' }, createManualContext('me', Date.now(), 'later'));
    expect(await restoreVaults(session, payload, [personal.id])).toMatchObject([{ outcome: 'merged', added: 0 }]);
    expect(listEntries(doc).entries).toHaveLength(3);
    const copy = await restoreVaults(session, payload, [personal.id], { [personal.id]: 'copy' });
    expect(copy).toMatchObject([{ outcome: 'copied', added: 2, name: 'Personal (restored)' }]);
    expect(valueOf(await session.listVaults()).map((v) => v.name)).toContain('Personal (restored)');
  });

  it('a wrong passphrase, a damaged or a truncated file are named and change nothing', async () => {
    const { session, personal } = await filledProfile();
    const file = await makeBackupFile(session, [personal.id], { kind: 'passphrase', ...opener }, nacl.randomBytes);
    const fast = { testOnlyKdfFloor: fastKdf };
    expect(await codeOf(openBackupFile(file, { passphrase: 'wrong' }, fast))).toBe('backup-wrong-key');
    const damaged = file.slice();
    damaged[200] = (damaged[200] ?? 0) ^ 0x40;
    expect(await codeOf(openBackupFile(damaged, opener, fast))).toBe('backup-damaged');
    expect(await codeOf(openBackupFile(file.slice(0, file.length / 2), opener, fast))).toBe('backup-truncated');
    const fresh = await profile();
    expect(valueOf(await fresh.listVaults())).toEqual([]);
  });

  it('a backup whose document cannot be read restores nothing at all, not even the vaults before it', async () => {
    const { session, personal, team } = await filledProfile();
    const file = await makeBackupFile(
      session,
      [personal.id, team.id],
      { kind: 'passphrase', ...opener },
      nacl.randomBytes,
    );
    const payload = await openBackupFile(file, opener, { testOnlyKdfFloor: fastKdf });
    const broken = {
      ...payload,
      vaults: payload.vaults.map((v) =>
        v.id === team.id ? { ...v, state: Buffer.from('not yjs at all').toString('base64') } : v,
      ),
    };
    const fresh = await profile();
    expect(await codeOf(restoreVaults(fresh, broken, [personal.id, team.id]))).toBe('backup-damaged');
    expect(valueOf(await fresh.listVaults())).toEqual([]);
  });

  it('the backup file holds no plaintext: names, usernames, secrets and notes (positive control on the payload)', async () => {
    const { session, personal, team } = await filledProfile();
    const file = await makeBackupFile(
      session,
      [personal.id, team.id],
      { kind: 'passphrase', ...opener },
      nacl.randomBytes,
    );
    const payload = await openBackupFile(file, opener, { testOnlyKdfFloor: fastKdf });
    const opened = Buffer.from(JSON.stringify(payload));
    const decodedDocs = payload.vaults.map((v) => Buffer.from(v.state, 'base64'));
    const words = ['hub-3', 'hub-1', 'gh-secret', 'team-secret', 'docker.io', 'registry.example.com', 'note'];
    for (const word of words) {
      expect(opened.includes(word) || decodedDocs.some((d) => d.includes(word))).toBe(true); // control
      expect(Buffer.from(file).includes(word)).toBe(false);
    }
    for (const word of ['Personal', 'Production', personal.id, team.id, 'ws://127.0.0.1:9999']) {
      expect(opened.includes(word)).toBe(true);
      expect(Buffer.from(file).includes(word)).toBe(false);
    }
  });

  it('a backup sealed with the recovery key opens with it and not with an older one', async () => {
    const { session, personal } = await filledProfile();
    const noKey = makeBackupFile(session, [personal.id], { kind: 'recovery-key' }, nacl.randomBytes);
    expect(await codeOf(noKey)).toBe('no-recovery-key');
    const first = valueOf(await session.createRecoveryKey());
    const file = await makeBackupFile(session, [personal.id], { kind: 'recovery-key' }, nacl.randomBytes);
    const fresh = await profile();
    const payload = await openBackupFile(file, { recoveryKey: first });
    expect(await listRestoreCandidates(fresh, payload)).toHaveLength(1);
    valueOf(await session.createRecoveryKey());
    const newer = await makeBackupFile(session, [personal.id], { kind: 'recovery-key' }, nacl.randomBytes);
    expect(await codeOf(openBackupFile(newer, { recoveryKey: first }))).toBe('backup-wrong-key');
  });
});
