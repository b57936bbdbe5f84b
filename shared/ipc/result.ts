import { z } from 'zod';
import type { Failure } from '../result';

/** Error codes any IPC call may return; domain services add their own. */
export const baseErrorCodes = ['bad-request', 'untrusted-sender', 'unknown-channel', 'internal'] as const;

/** A failure that crossed a process boundary (the shared `Failure` shape; codes are per channel). */
export type IpcError = Failure;

/** Schema of an IpcError, for validating results that come back over the bridge. */
export const ipcErrorSchema = z.object({ code: z.string(), message: z.string() });
