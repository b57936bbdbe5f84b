// "Back up…": reads the chosen vaults of an unlocked profile into a backup payload and seals it (backup-file.ts).
import * as Y from 'yjs';
import { encodeBase64, wipeBytes } from '../../../../shared/crypto/bytes';
import { sealBackup, type BackupSecret } from '../../../../shared/backup/backup-file';
import {
  encodeBackupPayload,
  type BackupPayload,
  type BackupTeam,
  type BackupVault,
} from '../../../../shared/backup/backup-payload';
import { VaultError } from '../../../../shared/crypto/errors';
import type { UnlockedProfile } from '../vault-db';

/** How the backup is sealed: a passphrase typed for it, or the profile's recovery key. */
export type BackupSealing = Readonly<{ kind: 'passphrase'; passphrase: string }> | Readonly<{ kind: 'recovery-key' }>;

/** The value of a store result, or its failure thrown as a VaultError (to stop a backup or restore midway). */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new VaultError('write-failed', result.error.message);
  return result.value;
}

async function collectVault(
  session: UnlockedProfile,
  id: string,
  name: string,
  createdAt: number,
): Promise<BackupVault> {
  const vault = unwrap(await session.openVault(id));
  await vault.flush();
  const state = encodeBase64(Y.encodeStateAsUpdate(vault.doc));
  const sync = unwrap(await session.syncState(id));
  try {
    const { epoch, key } = sync.vaultKey;
    const cursor = await sync.cursor();
    const team: BackupTeam | undefined = cursor
      ? {
          settings: await sync.settings(),
          members: cursor.members,
          device: encodeBase64(session.identity.signing),
          counter: cursor.counter,
          ...(cursor.keys && Object.keys(cursor.keys).length > 0 ? { keys: cursor.keys } : {}),
        }
      : undefined;
    return { id, name, createdAt, epoch, key: encodeBase64(key), state, ...(team ? { team } : {}) };
  } finally {
    sync.wipe();
  }
}

/** The payload of a backup of `vaultIds` (every vault when empty is not allowed: the caller picks). */
export async function collectBackup(
  session: UnlockedProfile,
  vaultIds: readonly string[],
  now: number = Date.now(),
): Promise<BackupPayload> {
  const summaries = unwrap(await session.listVaults());
  const vaults: BackupVault[] = [];
  for (const id of vaultIds) {
    const summary = summaries.find((v) => v.id === id);
    if (!summary || summary.name === null) {
      throw new VaultError('vault-not-found', 'A chosen vault is gone or damaged; refresh the list and choose again.');
    }
    vaults.push(await collectVault(session, id, summary.name, summary.createdAt ?? now));
  }
  return { format: 'regvault-backup', version: 1, createdAt: now, vaults };
}

/** Seals the chosen vaults into backup file bytes, with the profile's Argon2id cost for a passphrase. */
export async function makeBackupFile(
  session: UnlockedProfile,
  vaultIds: readonly string[],
  sealing: BackupSealing,
  random: (n: number) => Uint8Array,
  now: number = Date.now(),
): Promise<Uint8Array> {
  const payload = encodeBackupPayload(await collectBackup(session, vaultIds, now));
  const cost = await session.kdfCost();
  let secret: BackupSecret;
  let recoveryKey: Uint8Array | null = null;
  if (sealing.kind === 'recovery-key') {
    recoveryKey = await session.recoveryKey();
    if (recoveryKey === null) {
      throw new VaultError(
        'no-recovery-key',
        'This profile has no recovery key yet: make one in Settings → Recovery key, or seal the backup with a passphrase.',
      );
    }
    secret = { kind: 'recovery-key', recoveryKey };
  } else {
    secret = sealing;
  }
  try {
    return await sealBackup(payload, secret, { random, cost, ...session.kdfOptions });
  } finally {
    wipeBytes(payload, recoveryKey);
  }
}
