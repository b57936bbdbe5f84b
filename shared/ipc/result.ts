import { z } from 'zod';

/** Error codes any IPC call may return; domain services add their own. */
export const baseErrorCodes = ['bad-request', 'untrusted-sender', 'unknown-channel', 'internal'] as const;

/** A failure that crossed a process boundary: a stable code and a sentence saying what to do. */
export type IpcError = Readonly<{ code: string; message: string }>;

/** The shape of every IPC result: never a thrown exception across the bridge. */
export type Result<T> = Readonly<{ ok: true; value: T }> | Readonly<{ ok: false; error: IpcError }>;

/** Schema of an IpcError, for validating results that come back over the bridge. */
export const ipcErrorSchema = z.object({ code: z.string(), message: z.string() });

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed result with a code and a message the user can act on. */
export function fail<T = never>(code: string, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
