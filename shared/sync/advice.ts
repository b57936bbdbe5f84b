// What the status indicator and the Sync settings say: one sentence per state, and for errors what
// to do about them (STYLE §14). The renderer shows these; it computes nothing itself.
import { errorCodes, type ErrorCode, type SyncError } from './codes';
import type { SyncStatus } from './engine-core';

const advice: Partial<Record<ErrorCode, string>> = {
  [errorCodes.unsupportedVersion]:
    'The relay speaks another protocol version: update Regvault, or ask the relay’s operator to update the relay.',
  [errorCodes.authFailed]: 'The relay refused this device’s key. Check the relay address in Sync settings.',
  [errorCodes.wrongRelay]:
    'The relay at this address says it is another relay. Use the address its operator gives you; if it is right, the operator must set the relay’s --public-url to it.',
  [errorCodes.relayUrlRefused]:
    'Plain ws:// is allowed only to this machine. Change the relay address in Sync settings to wss://.',
  [errorCodes.unknownVault]: 'The relay does not know this vault yet. Sync it from a device that has it first.',
  [errorCodes.notAMember]: 'This device is not (or no longer) linked to the vault. Link it again from another device.',
  [errorCodes.notAWriter]: 'This device may only read this vault; changes made here are kept but not shared.',
  [errorCodes.notAnAdmin]: 'Only an admin of the vault can link or remove devices.',
  [errorCodes.rollbackDetected]:
    'The relay serves older data than this device has already seen: it lost data or was tampered with. Sync is paused; your data here is safe. Check the relay, or choose another one.',
  [errorCodes.sequenceGap]:
    'The relay skipped changes. Sync is paused; your data here is safe. Check the relay, or choose another one.',
  [errorCodes.forgedEnvelope]:
    'The relay delivered a change that fails its signature checks; it was ignored. If this repeats, the relay may be compromised.',
  [errorCodes.decryptFailed]: 'A change could not be decrypted with this vault’s key; it was ignored.',
  [errorCodes.unknownEpoch]: 'A change uses a newer vault key. Link this device again to receive it.',
  [errorCodes.badMemberLog]:
    'The vault’s member list from the relay does not verify. Sync is paused; check the relay, or choose another one.',
  [errorCodes.protocolViolation]: 'The relay sent something unexpected. Sync is paused; check the relay address.',
  [errorCodes.requestTimeout]: 'The relay is not answering. Retrying; check your connection or the relay.',
  [errorCodes.envelopeTooLarge]:
    'A change is larger than the relay accepts. Ask the relay operator to raise --max-frame-bytes; the change is kept here.',
  [errorCodes.invalidDeviceCode]: 'That is not a device code. Copy it again from the new device.',
  [errorCodes.notConnected]: 'Connect to the relay first: linking needs a live connection.',
  [errorCodes.internal]: 'The relay or this device could not save sync data. Retrying; check free disk space.',
};

/** What to tell the user about a sync error: the advice for its code, else the error's own message. */
export function describeSyncError(error: SyncError): string {
  return `${advice[error.code] ?? error.message} (sync error ${error.code})`;
}

/** One line for the status indicator. */
export function describeSyncStatus(status: SyncStatus): string {
  if (status === 'synced') return 'Synced';
  if (status === 'offline') return 'Offline — changes are kept on this device and sent when the relay is reachable';
  if ('error' in status) return describeSyncError(status.error);
  if (status.pending === 0) return 'Syncing…';
  return status.pending === 1 ? '1 change waiting to sync' : `${status.pending} changes waiting to sync`;
}
