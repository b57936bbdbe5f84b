// Numbered error codes of the sync protocol. docs/protocol.md lists the same table; a code never
// changes meaning once released (add new numbers instead).
import { failWith, ok, type Failure, type Result } from '../result';

/** Every error code the relay sends (1xxx–3xxx, 5xxx) or the client engine reports (4xxx). */
export const errorCodes = {
  malformedFrame: 1001,
  frameTooLarge: 1002,
  unsupportedVersion: 1003,
  notAuthenticated: 1004,
  authFailed: 1005,
  alreadyAuthenticated: 1006,
  wrongRelay: 1007,
  authTimeout: 1008,
  tooManyConnections: 1009,
  rateLimited: 1010,
  deviceNotAllowed: 1011,
  unknownVault: 2001,
  vaultExists: 2002,
  notAMember: 2003,
  notAWriter: 2004,
  notAnAdmin: 2005,
  badRecord: 2006,
  authorMismatch: 2007,
  badGrant: 2008,
  quotaExceeded: 2009,
  unknownInvitation: 2010,
  invitationUsed: 2011,
  staleEpoch: 2012,
  catchUpLimited: 2013,
  badSignature: 3001,
  replayedCounter: 3002,
  unknownSequence: 3003,
  staleSnapshot: 3004,
  rollbackDetected: 4001,
  sequenceGap: 4002,
  forgedEnvelope: 4003,
  decryptFailed: 4004,
  unknownEpoch: 4005,
  badMemberLog: 4006,
  protocolViolation: 4007,
  requestTimeout: 4008,
  envelopeTooLarge: 4009,
  badKeyGrant: 4010,
  connectionClosed: 4011,
  invalidDeviceCode: 4012,
  notConnected: 4013,
  relayUrlRefused: 4014,
  pairingExpired: 4015,
  internal: 5001,
} as const;

/** One of the numbered error codes. */
export type ErrorCode = (typeof errorCodes)[keyof typeof errorCodes];

/** A protocol error as reported to callers and in the engine status. */
export type SyncError = Readonly<{ code: ErrorCode; message: string }>;

/** An Error carrying a protocol error code, thrown by the engine's one-shot operations. */
export class SyncProtocolError extends Error {
  /** The numbered error code (see docs/protocol.md). */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`${message} (error ${code})`);
    this.name = 'SyncProtocolError';
    this.code = code;
  }
}

/** The name of a numbered error code (a key of `errorCodes`). */
export type ErrorName = keyof typeof errorCodes;

/** A sync failure as data (the one Result shape): the code's name, its number and the message. */
export type SyncFailure = Failure<ErrorName> & Readonly<{ number: ErrorCode }>;

const namesByNumber = new Map<number, ErrorName>(
  Object.entries(errorCodes).map(([name, code]) => [code, name as ErrorName]),
);

/** The failure a SyncProtocolError stands for. */
export function toSyncFailure(error: SyncProtocolError): SyncFailure {
  return { code: namesByNumber.get(error.code) ?? 'internal', number: error.code, message: error.message };
}

/** Runs a one-shot operation and returns its SyncProtocolError as a failed Result; anything else (a bug) still throws. */
export async function catchSyncError<T>(task: () => Promise<T>): Promise<Result<T, SyncFailure>> {
  try {
    return ok(await task());
  } catch (error) {
    if (error instanceof SyncProtocolError) return failWith(toSyncFailure(error));
    throw error;
  }
}

/** Builds a `SyncError` value. */
export function syncError(code: ErrorCode, message: string): SyncError {
  return { code, message };
}

const knownCodes = new Set<number>(Object.values(errorCodes));

/** Tells whether a number is one of the protocol's error codes. */
export function isErrorCode(value: number): value is ErrorCode {
  return knownCodes.has(value);
}
