import 'fake-indexeddb/auto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { KdfCost } from '../../../../shared/crypto/kdf';
import { addEntry } from '../../../../shared/entries';
import { createManualContext } from '../../../../shared/entries/test-context';
import { failureOf, valueOf } from '../../../../shared/test-result';
import { makeDockerTestEnv, removeDockerTestEnvs } from '../../../../electron/services/fixtures/docker-config-env';
import { installMainBridge } from '../../../../tests/support/main-bridge';
import { VaultStore } from '../vault-db';
import { AUTO_BACKUP_EVERY_MS, isBackupDue, runAutoBackup } from './auto-backup';
import { openBackupFile } from './restore-backup';

const fastKdf: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const cleanups: (() => unknown)[] = [];
afterAll(removeDockerTestEnvs);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('automatic backups (through the real main handlers)', () => {
  it('writes one sealed backup a day into the chosen folder, keeping the last N, openable with the recovery key', async () => {
    const testEnv = await makeDockerTestEnv();
    const bridge = installMainBridge(testEnv);
    cleanups.push(bridge.uninstall);
    const store = new VaultStore({ dbName: `auto-${Math.random()}`, calibrate: false, testOnlyKdfFloor: fastKdf });
    cleanups.push(() => store.close());
    const session = valueOf(await store.createProfile('pw'));
    const vault = valueOf(await session.createVault('Personal'));
    const doc = valueOf(await session.openVault(vault.id)).doc;
    addEntry(doc, { registry: 'ghcr.io', username: 'bot', secret: 'auto-secret' }, createManualContext('me'));
    const folder = join(testEnv.home, 'Automatic backups');

    expect(failureOf(await runAutoBackup(session)).code).toBe('not-set-up');
    valueOf(await session.updateSettings({ ...session.settings, autoBackup: { folder, keep: 2 } }));
    // Sealed with the recovery key: without one, it says what to do.
    expect(failureOf(await runAutoBackup(session)).message).toContain('make one in Settings');
    const recoveryKey = valueOf(await session.createRecoveryKey());

    const day = Date.UTC(2026, 11, 1);
    expect(isBackupDue(session, day)).toBe(true);
    for (let i = 0; i < 3; i++) valueOf(await runAutoBackup(session, day + i * AUTO_BACKUP_EVERY_MS));
    expect(isBackupDue(session, day + 2 * AUTO_BACKUP_EVERY_MS + 1000)).toBe(false);
    expect(isBackupDue(session, day + 3 * AUTO_BACKUP_EVERY_MS)).toBe(true);
    expect((await readdir(folder)).sort()).toEqual([
      'regvault-backup-2026-12-02.rvbackup',
      'regvault-backup-2026-12-03.rvbackup',
    ]);
    const file = new Uint8Array(await readFile(join(folder, 'regvault-backup-2026-12-03.rvbackup')));
    expect(Buffer.from(file).includes('auto-secret')).toBe(false);
    const payload = await openBackupFile(file, { recoveryKey });
    expect(payload.vaults.map((v) => v.name)).toEqual(['Personal']);
    expect(session.settings.autoBackup?.lastAt).toBe(day + 2 * AUTO_BACKUP_EVERY_MS);
  });
});
