import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../../shared/crypto/errors';
import { errorCodes, SyncProtocolError, syncError } from '../../../../shared/sync/codes';
import { describeIndicator, describeSyncFailure, toIndicator } from './sync-status';

const text = (...args: Parameters<typeof toIndicator>) => describeIndicator(toIndicator(...args));

describe('sync indicator', () => {
  it('says Synced, N pending, Offline (with what waits), Connecting and Sync off', () => {
    expect(text('synced', 0)).toBe('Synced');
    expect(text({ pending: 3 }, 3)).toBe('3 pending');
    expect(text('offline', 0)).toBe('Offline');
    expect(text('offline', 2)).toBe('Offline · 2 pending');
    expect(text({ pending: 0 }, 0)).toBe('Connecting…');
    expect(text(null, 0)).toBe('Sync off');
  });

  it('names rollback and unauthorized in words, and keeps the message of other errors', () => {
    expect(text({ error: syncError(errorCodes.rollbackDetected, 'head 3 < 5') }, 0)).toMatch(/^Rollback detected/);
    expect(text({ error: syncError(errorCodes.notAMember, 'x') }, 0)).toMatch(/^Unauthorized: this device is not/);
    expect(text({ error: syncError(errorCodes.authFailed, 'x') }, 0)).toMatch(/^Unauthorized/);
    expect(text({ error: syncError(errorCodes.internal, 'disk full') }, 0)).toBe('Sync error 5001: disk full');
  });

  it("offers a reset for a fatal error about the relay's data only, not for a transient one or a refused address", () => {
    const rollback = syncError(errorCodes.rollbackDetected, 'head 3 < 5');
    expect(toIndicator({ error: rollback, fatal: true }, 1)).toMatchObject({ kind: 'error', resettable: true });
    expect(toIndicator({ error: rollback }, 1)).toMatchObject({ resettable: false });
    const refused = syncError(errorCodes.relayUrlRefused, 'ws:// to another machine');
    expect(toIndicator({ error: refused, fatal: true }, 1)).toMatchObject({ resettable: false });
    expect(text({ error: syncError(errorCodes.forgedEnvelope, 'bad signature') }, 0)).toMatch(
      /nothing of it was applied/,
    );
  });

  it('describes thrown failures without leaking internals', () => {
    expect(describeSyncFailure(new VaultError('invalid-settings', 'Enter the relay.'))).toBe('Enter the relay.');
    expect(describeSyncFailure(new SyncProtocolError(errorCodes.connectionClosed, 'closed (1006)'))).toMatch(
      /^Could not reach the relay/,
    );
    expect(describeSyncFailure(new SyncProtocolError(errorCodes.invalidDeviceCode, 'copy it again'))).toBe(
      'copy it again (error 4012)',
    );
    expect(describeSyncFailure(new TypeError('x is undefined'))).toMatch(/^Sync failed unexpectedly/);
  });

  it('recognizes "locked" by its code, never by words in a message', () => {
    const locked = new VaultError('locked', 'The vault is locked: unlock it to sync.');
    expect(describeSyncFailure(locked)).toBe(locked.message);
    // An arbitrary error that happens to say "locked" (here echoing untrusted text) is not passed through.
    expect(describeSyncFailure(new Error('relay says: account locked, visit evil.example'))).toMatch(
      /^Sync failed unexpectedly/,
    );
  });
});
