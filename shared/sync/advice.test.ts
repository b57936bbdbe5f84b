import { expect, test } from 'vitest';
import { describeSyncStatus } from './advice';
import { errorCodes, syncError } from './codes';

test('every status reads as a sentence; errors say what to do and carry their code', () => {
  expect(describeSyncStatus('synced')).toBe('Synced');
  expect(describeSyncStatus('offline')).toMatch(/kept on this device/);
  expect(describeSyncStatus({ pending: 0 })).toBe('Syncing…');
  expect(describeSyncStatus({ pending: 1 })).toBe('1 change waiting to sync');
  expect(describeSyncStatus({ pending: 12 })).toBe('12 changes waiting to sync');
  expect(describeSyncStatus({ error: syncError(errorCodes.rollbackDetected, 'head 3 < 9') })).toMatch(
    /older data.*your data here is safe.*\(sync error 4001\)/,
  );
  // Codes without specific advice fall back to the message itself.
  expect(describeSyncStatus({ error: syncError(errorCodes.staleSnapshot, 'a snapshot at 300 is stored') })).toBe(
    'a snapshot at 300 is stored (sync error 3004)',
  );
});
