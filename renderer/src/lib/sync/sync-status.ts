// What the sync status indicator says, from the engine's status and its pending count.
import { isVaultError } from '../../../../shared/crypto/errors';
import { errorCodes, SyncProtocolError, type SyncError, type SyncFailure } from '../../../../shared/sync/codes';
import type { SyncStatus } from '../../../../shared/sync/engine-core';

/**
 * The indicator's state: sync off, synced, changes waiting (online or not), connecting, or an error
 * (`resettable`: sync stopped on data the relay served, and "Reset sync state" starts over with it).
 */
export type SyncIndicator =
  | Readonly<{ kind: 'off' }>
  | Readonly<{ kind: 'synced' }>
  | Readonly<{ kind: 'pending'; pending: number }>
  | Readonly<{ kind: 'offline'; pending: number }>
  | Readonly<{ kind: 'connecting' }>
  | Readonly<{ kind: 'error'; message: string; resettable?: boolean }>;

// Fatal errors about what the relay served (rollback, gap, forged data), unlike a refused address.
const resettableCodes = new Set<number>([
  errorCodes.rollbackDetected,
  errorCodes.sequenceGap,
  errorCodes.forgedEnvelope,
  errorCodes.decryptFailed,
  errorCodes.unknownEpoch,
  errorCodes.badMemberLog,
  errorCodes.protocolViolation,
]);

/** Derives the indicator from the engine's status and `pendingCount()` (null status: sync is off). */
export function toIndicator(status: SyncStatus | null, pending: number): SyncIndicator {
  if (status === null) return { kind: 'off' };
  if (status === 'synced') return { kind: 'synced' };
  if (status === 'offline') return { kind: 'offline', pending };
  if ('error' in status) {
    const resettable = status.fatal === true && resettableCodes.has(status.error.code);
    return { kind: 'error', message: describeSyncError(status.error), resettable };
  }
  if (status.pending > 0) return { kind: 'pending', pending: status.pending };
  return { kind: 'connecting' };
}

/** The indicator's words. */
export function describeIndicator(indicator: SyncIndicator): string {
  switch (indicator.kind) {
    case 'off':
      return 'Sync off';
    case 'synced':
      return 'Synced';
    case 'pending':
      return `${indicator.pending} pending`;
    case 'offline':
      return indicator.pending > 0 ? `Offline · ${indicator.pending} pending` : 'Offline';
    case 'connecting':
      return 'Connecting…';
    case 'error':
      return indicator.message;
  }
}

const sentences: Partial<Record<number, string>> = {
  [errorCodes.rollbackDetected]:
    'Rollback detected: the relay serves older data than this device already verified. Use another relay, or reset sync once it is restored; your changes stay queued.',
  [errorCodes.sequenceGap]: 'The relay skipped changes (sequence gap): sync stopped. Use another relay, or reset sync.',
  [errorCodes.forgedEnvelope]:
    'The relay served a change that fails its signature or membership checks: sync stopped and nothing of it was applied. Use another relay, or reset sync.',
  [errorCodes.badMemberLog]: "The relay's member list does not match what this device verified: sync stopped.",
  [errorCodes.authFailed]: "Unauthorized: the relay refused this device's key.",
  [errorCodes.notAMember]:
    'Unauthorized: this device is not a member of the vault (an admin removed it, or it left). Ask an admin to invite you again, or link it again from another device.',
  [errorCodes.notAWriter]: 'Unauthorized: this device may not write to this vault.',
  [errorCodes.unknownVault]:
    'The relay does not know this vault. Link this device again from a device that syncs it to this relay.',
  [errorCodes.unsupportedVersion]:
    "The relay speaks another protocol version: update Regvault, or ask the relay's operator to update the relay.",
  [errorCodes.wrongRelay]:
    "The relay at this address says it is another relay: check the address in Sync settings. If it is right, the relay's operator must set --public-url to it.",
  [errorCodes.relayUrlRefused]:
    'Plain ws:// is unencrypted and allowed only to this machine: change the relay address in Sync settings to wss://.',
  [errorCodes.deviceNotAllowed]:
    "This relay accepts only the devices its operator listed: ask them to add this device's key, or use another relay.",
  [errorCodes.tooManyConnections]:
    'The relay refused another connection from this device or network: close other Regvault windows, or ask its operator to raise the limit.',
  [errorCodes.quotaExceeded]:
    "The relay's quota for this device is used up (vaults, members or stored changes): ask its operator to raise it. Your changes stay queued.",
  [errorCodes.catchUpLimited]:
    'The relay limits how often this device may fetch changes it already has; Regvault tries again by itself. If it keeps happening, ask the relay operator.',
  [errorCodes.rateLimited]: 'The relay closed the connection for sending too fast; Regvault reconnects by itself.',
  [errorCodes.connectionClosed]: 'Could not reach the relay: check its address and that it is running.',
  [errorCodes.requestTimeout]: 'The relay did not answer in time. Try again.',
  [errorCodes.envelopeTooLarge]: "A change is larger than the relay's frame limit: ask its operator to raise it.",
};

/** A sentence for a sync error: known codes in plain words, others with the engine's message. */
export function describeSyncError(error: SyncError): string {
  return sentences[error.code] ?? `Sync error ${error.code}: ${error.message}`;
}

/** A sentence for a one-shot operation's failure: known codes in plain words, others with the engine's message. */
export function describeOneShotFailure(failure: SyncFailure): string {
  return sentences[failure.number] ?? failure.message;
}

/** A sentence for anything a sync operation threw: store errors and protocol errors keep their words. */
export function describeSyncFailure(error: unknown): string {
  if (isVaultError(error)) return error.message;
  if (error instanceof SyncProtocolError) return sentences[error.code] ?? error.message;
  return 'Sync failed unexpectedly. Try again; restart Regvault if it keeps happening.';
}
