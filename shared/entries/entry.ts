/**
 * The entry model (DESIGN.md §3): one credential for one registry key. Types are written
 * out by hand (Readonly, documented) and the schemas are checked against them, so a
 * schema change that breaks the type fails to compile.
 */
import { z } from 'zod';
import { failWith, type Err, type Failure, type FieldError, type Result } from '../result';
import { presetIds, type PresetId } from '../registry/presets';
import { TOKEN_EXPIRY_SOURCES, type TokenExpirySource } from '../registry/token-expiry';

/** The outcome of the last login check (DESIGN.md §6), as the main process reported it. */
export type LastCheck = Readonly<{ at: number; ok: boolean; code: string; message: string }>;

/** Why and since when an entry's secret should be rotated (e.g. a member who saw it left). */
export type RotationFlag = Readonly<{ reason: string; at: number }>;

/** One registry credential as the app sees it, decoded and validated from the vault document. */
export type Entry = Readonly<{
  id: string;
  /** The normalized registry key (`toRegistryKey`); never changes after creation. */
  registry: string;
  name: string;
  username: string;
  secret: string;
  /** When the current secret was set: the start of its rotation period and of its lifetime. */
  secretUpdatedAt: number;
  email?: string;
  notes: string;
  pipelines: readonly string[];
  /** Repositories the entry's pipelines use ("team/api"), for Test access. */
  repositories?: readonly string[];
  /** The pipelines only pull: a token that can push is more than they need (least privilege). */
  pullOnly?: boolean;
  /** Epoch ms after which the secret no longer works (ECR: 12 h after it was set). */
  expiresAt?: number;
  /** Set when `expiresAt` was read from the token itself (a JWT's exp, an ECR token, GitHub's header). */
  expiresFrom?: TokenExpirySource;
  rotateEveryDays?: number;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  updatedBy: string;
  lastCheck?: LastCheck;
  rotationRecommended?: RotationFlag;
  /** Plain http:// or unverified TLS allowed for this registry (DESIGN.md §6). */
  insecure?: boolean;
  /** PEM of a private CA that signs the registry's certificate. */
  caCertificate?: string;
  presetId?: PresetId;
}>;

/** What a mutation needs from the outside world: injected so tests control time and ids. */
export type EntryContext = Readonly<{
  now: () => number;
  /** A fresh, globally unique id (the renderer passes `crypto.randomUUID`). */
  newId: () => string;
  /** Who makes the change (member public key or device name), recorded in createdBy/updatedBy. */
  actor: string;
  /** How many previous secrets an entry keeps when its secret changes (default 10; secret-history.ts). */
  historyLimit?: number;
}>;

const epochMs = z.number().int().nonnegative();

/** Schema of a last-check record, for decoding and for `recordCheck` input. */
export const lastCheckSchema: z.ZodType<LastCheck> = z.object({
  at: epochMs,
  ok: z.boolean(),
  code: z.string(),
  message: z.string(),
});

/** Schema of a rotation-recommended flag. */
export const rotationFlagSchema: z.ZodType<RotationFlag> = z.object({ reason: z.string(), at: epochMs });

/** Schema of the fields every entry stores besides its id and secret (the document layout). */
export const entryFieldsSchema = z.object({
  registry: z.string().min(1),
  name: z.string(),
  username: z.string(),
  email: z.string().optional(),
  notes: z.string(),
  pipelines: z.array(z.string()),
  repositories: z.array(z.string()).optional(),
  pullOnly: z.boolean().optional(),
  expiresAt: epochMs.optional(),
  // A source added by a newer version is dropped: the date stays, only its origin is not shown.
  expiresFrom: z.enum(TOKEN_EXPIRY_SOURCES).optional().catch(undefined),
  rotateEveryDays: z.number().int().positive().optional(),
  createdAt: epochMs,
  updatedAt: epochMs,
  createdBy: z.string(),
  updatedBy: z.string(),
  lastCheck: lastCheckSchema.optional(),
  rotationRecommended: rotationFlagSchema.optional(),
  insecure: z.boolean().optional(),
  caCertificate: z.string().optional(),
  // A preset added by a newer version is dropped, not fatal: the entry still works without it.
  presetId: z.enum(presetIds).optional().catch(undefined),
});

/** Schema of a whole entry (e.g. for passing entries across IPC or exporting them). */
export const entrySchema: z.ZodType<Entry> = entryFieldsSchema.extend({
  id: z.string().min(1),
  secret: z.string(),
  secretUpdatedAt: epochMs,
});

/** The error codes entry operations return, each with a message that says what to do. */
export const entryErrorCodes = [
  'invalid-input',
  'registry-invalid',
  'registry-exists',
  'registry-immutable',
  'entry-not-found',
  'entry-damaged',
  'conflict-mismatch',
] as const;

/** One entry error code. */
export type EntryErrorCode = (typeof entryErrorCodes)[number];

/** The seed's sentence for an attempt to change an entry's registry URL. */
export const REGISTRY_IMMUTABLE_MESSAGE =
  'Registry URL cannot be changed after creation. To use a different URL, delete and recreate the registry entry.';

/** The sentence for an add or edit without a username (and no preset username to fill in). */
export const USERNAME_MISSING = 'Enter the username for this registry.';

/** The sentence for an add without a password, token or key. */
export const SECRET_MISSING = 'Enter the password, access token or key.';

/** The message for an id that is not (or no longer) in the vault. */
export const ENTRY_NOT_FOUND_MESSAGE = 'This entry no longer exists; it may have been deleted.';

/** The input fields entry operations validate; a field error names one of these. */
export const entryFields = [
  'registry',
  'name',
  'username',
  'secret',
  'email',
  'notes',
  'pipelines',
  'repositories',
  'pullOnly',
  'expiresAt',
  'expiresFrom',
  'rotateEveryDays',
  'insecure',
  'caCertificate',
  'presetId',
  'reason',
  'check',
] as const;

/** One input field of an entry operation. */
export type EntryField = (typeof entryFields)[number];

const entryFieldSet: ReadonlySet<string> = new Set(entryFields);

/** True when `value` names an entry field (e.g. the head of a schema issue's path). */
export function isEntryField(value: unknown): value is EntryField {
  return typeof value === 'string' && entryFieldSet.has(value);
}

/** A failed entry operation: a code, a sentence, and (for bad input) which fields are wrong, as data. */
export type EntryFailure = Failure<EntryErrorCode> & Readonly<{ fields?: readonly FieldError<EntryField>[] }>;

/** The result of an entry operation. */
export type EntryResult<T> = Result<T, EntryFailure>;

/** A failed entry operation with one of the entry error codes. */
export function entryError(code: EntryErrorCode, message: string): Err<EntryFailure> {
  return failWith({ code, message });
}

/** A failure about specific fields: their sentences joined form the message, without field names. */
export function fieldsError(code: EntryErrorCode, fields: readonly FieldError<EntryField>[]): Err<EntryFailure> {
  const message = fields.map((f) => f.message).join(' ') || 'The entry is not valid.';
  return failWith({ code, message, fields });
}

/** A failure about one field. */
export function fieldError(code: EntryErrorCode, field: EntryField, message: string): Err<EntryFailure> {
  return fieldsError(code, [{ field, message }]);
}
