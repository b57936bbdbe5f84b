// "Restore…": opens a backup file and brings its chosen vaults into the unlocked profile. Restoring never
// overwrites: a vault that is not here comes back under its own id and key (a team vault linked to its relay,
// with its member log); one that is here is merged (Yjs: what the backup holds is added, nothing this device holds
// is lost, and merging the same backup twice adds nothing) or restored as a separate copy, as the user chooses.
import * as Y from 'yjs';
import { decodeBase64, encodeBase64, wipeBytes } from '../../../../shared/crypto/bytes';
import { openBackup, type BackupSecret } from '../../../../shared/backup/backup-file';
import { parseBackupPayload, type BackupPayload, type BackupVault } from '../../../../shared/backup/backup-payload';
import { VaultError } from '../../../../shared/crypto/errors';
import type { KdfCheckOptions } from '../../../../shared/crypto/kdf';
import { parseRecoveryKey } from '../../../../shared/crypto/recovery-key';
import { listEntries } from '../../../../shared/entries';
import { replayMemberLog, roleOf } from '../../../../shared/sync/members';
import type { UnlockedProfile } from '../vault-db';
import { unwrap } from './collect-backup';

/** What the user typed to open a backup. */
export type BackupOpener = Readonly<{ passphrase: string }> | Readonly<{ recoveryKey: string }>;

/** How one vault of a backup is restored when a vault with its id is already here. */
export type RestoreMode = 'merge' | 'copy';

/** A vault of an opened backup as the Restore dialog lists it. */
export type RestoreCandidate = Readonly<{
  id: string;
  name: string;
  entries: number;
  team: boolean;
  /** True when this profile already has a vault with this id (then merge or copy). */
  exists: boolean;
}>;

/** What restoring one vault did. */
export type RestoredVault = Readonly<{
  id: string;
  name: string;
  outcome: 'restored' | 'merged' | 'copied';
  /** Entries that were not there before (all of them for a new vault or a copy). */
  added: number;
  /** For a team vault this device is not a member of: what to do. */
  note?: string;
}>;

/** Opens backup file bytes with a passphrase or a recovery key; errors say which case it is (backup-file.ts). */
export async function openBackupFile(
  file: Uint8Array,
  opener: BackupOpener,
  options: KdfCheckOptions = {},
): Promise<BackupPayload> {
  let secret: BackupSecret;
  if ('recoveryKey' in opener) secret = { kind: 'recovery-key', recoveryKey: parseRecoveryKey(opener.recoveryKey) };
  else secret = { kind: 'passphrase', passphrase: opener.passphrase };
  try {
    return parseBackupPayload(await openBackup(file, secret, options));
  } finally {
    if (secret.kind === 'recovery-key') wipeBytes(secret.recoveryKey);
  }
}

function docOf(vault: BackupVault): Y.Doc {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, decodeBase64(vault.state));
  } catch (error) {
    doc.destroy();
    throw new VaultError(
      'backup-damaged',
      `The vault "${vault.name}" in this backup cannot be read. Nothing was restored.`,
      {
        cause: error,
      },
    );
  }
  return doc;
}

function countEntries(doc: Y.Doc): number {
  return listEntries(doc).entries.length;
}

/** The vaults of an opened backup, each with its entry count and whether it is already here. */
export async function listRestoreCandidates(
  session: UnlockedProfile,
  payload: BackupPayload,
): Promise<RestoreCandidate[]> {
  const listed = await session.listVaults();
  const here = new Set(listed.ok ? listed.value.map((v) => v.id) : []);
  return payload.vaults.map((vault) => {
    const doc = docOf(vault);
    const entries = countEntries(doc);
    doc.destroy();
    return { id: vault.id, name: vault.name, entries, team: vault.team !== undefined, exists: here.has(vault.id) };
  });
}

// Applies the backup's document to a vault of this profile; the open vault records it as one sealed update.
async function mergeInto(session: UnlockedProfile, vaultId: string, vault: BackupVault): Promise<number> {
  const open = unwrap(await session.openVault(vaultId));
  const before = countEntries(open.doc);
  const source = docOf(vault);
  Y.applyUpdate(open.doc, Y.encodeStateAsUpdate(source));
  source.destroy();
  await open.flush();
  return countEntries(open.doc) - before;
}

function membershipNote(session: UnlockedProfile, vault: BackupVault): string | undefined {
  if (!vault.team) return undefined;
  const state = replayMemberLog(vault.id, vault.team.members);
  const role = typeof state === 'string' ? undefined : roleOf(state, session.identity.signing);
  if (role !== undefined) return undefined;
  return (
    `"${vault.name}" is a team vault and this device is not one of its members: its entries open here, but it does ` +
    'not sync until an admin of the vault adds this device — ask them to invite you (Members → Invite member) or ' +
    'link this device from one of yours (Link device).'
  );
}

async function restoreNew(session: UnlockedProfile, vault: BackupVault): Promise<RestoredVault> {
  const key = decodeBase64(vault.key);
  try {
    unwrap(await session.importVault(vault.id, { epoch: vault.epoch, key }, vault.name));
  } finally {
    wipeBytes(key);
  }
  const added = await mergeInto(session, vault.id, vault);
  if (vault.team) {
    const sync = unwrap(await session.syncState(vault.id));
    try {
      await sync.saveSettings(vault.team.settings);
      // Only the device that made the backup goes on from its own counter; any other device starts its own at 0.
      const same = vault.team.device === encodeBase64(session.identity.signing);
      await sync.restoreCursor(vault.team.members, vault.team.keys, same ? (vault.team.counter ?? 0) : 0);
    } finally {
      sync.wipe();
    }
  }
  const note = membershipNote(session, vault);
  return { id: vault.id, name: vault.name, outcome: 'restored', added, ...(note ? { note } : {}) };
}

async function restoreCopy(session: UnlockedProfile, vault: BackupVault): Promise<RestoredVault> {
  const name = `${vault.name} (restored)`.slice(0, 200);
  const created = unwrap(await session.createVault(name));
  const added = await mergeInto(session, created.id, vault);
  return { id: created.id, name, outcome: 'copied', added };
}

/**
 * Restores the chosen vaults of an opened backup; `modes` says merge or copy for vaults already here (merge when
 * not given). Vaults are restored one by one; a failure stops there and names what was restored before it.
 */
export async function restoreVaults(
  session: UnlockedProfile,
  payload: BackupPayload,
  chosen: readonly string[],
  modes: Readonly<Record<string, RestoreMode>> = {},
): Promise<RestoredVault[]> {
  const listed = unwrap(await session.listVaults());
  const here = new Set(listed.map((v) => v.id));
  const picked = payload.vaults.filter((v) => chosen.includes(v.id));
  // Every chosen document must read before anything is written, so a damaged one changes nothing.
  for (const vault of picked) docOf(vault).destroy();
  const done: RestoredVault[] = [];
  for (const vault of picked) {
    if (!here.has(vault.id)) done.push(await restoreNew(session, vault));
    else if ((modes[vault.id] ?? 'merge') === 'copy') done.push(await restoreCopy(session, vault));
    else
      done.push({
        id: vault.id,
        name: vault.name,
        outcome: 'merged',
        added: await mergeInto(session, vault.id, vault),
      });
  }
  return done;
}
