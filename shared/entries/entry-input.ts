/**
 * What the add and edit forms send, validated before anything touches the document. Limits
 * keep one careless paste from bloating a vault that every member syncs; they are far above
 * real credentials (GCR JSON keys are ~2.4 KB, ECR tokens ~3 KB).
 */
import { z } from 'zod';
import { ok, type FieldError } from '../result';
import { parseRepositoryRef } from '../registry/access-verdict';
import { presetIds } from '../registry/presets';
import { TOKEN_EXPIRY_SOURCES } from '../registry/token-expiry';
import { fieldsError, isEntryField, type EntryField, type EntryResult } from './entry';

const MAX_SECRET = 64 * 1024;
const MAX_TEXT = 200;
const MAX_NOTES = 10_000;
const MAX_PIPELINES = 200;

const nameField = z.string().max(MAX_TEXT, 'Keep the name under 200 characters.');
const usernameField = z.string().max(1024, 'The username is too long.');
const secretField = z.string().max(MAX_SECRET, 'The password or token is too long (64 KB at most).');
const emailField = z
  .string()
  .max(320, 'The email address is too long.')
  .refine(
    (v) => v.trim() === '' || /^[^\s@]+@[^\s@]+$/.test(v.trim()),
    'Enter an email address like name@example.com, or leave it empty.',
  );
const notesField = z.string().max(MAX_NOTES, 'Keep notes under 10,000 characters.');
const pipelinesField = z
  .array(z.string().max(MAX_TEXT, 'Keep each pipeline name under 200 characters.'))
  .max(MAX_PIPELINES, 'List at most 200 pipelines.');
const repositoriesField = z
  .array(
    z
      .string()
      .max(MAX_TEXT, 'Keep each repository under 200 characters.')
      .refine(
        (v) => v.trim() === '' || parseRepositoryRef(v).ok,
        'Enter repositories as paths without the registry host, for example team/api.',
      ),
  )
  .max(MAX_PIPELINES, 'List at most 200 repositories.');
const expiresField = z.number().int('Pick an expiry date.').nonnegative('Pick an expiry date.');
const rotateField = z
  .number()
  .int('Rotation interval must be a whole number of days.')
  .min(1, 'Rotate at least every day, or leave the interval empty.')
  .max(3650, 'Rotation interval can be at most 3650 days.');
const caField = z
  .string()
  .max(MAX_SECRET, 'The CA certificate is too long.')
  .refine(
    (v) => v.trim() === '' || v.includes('-----BEGIN CERTIFICATE-----'),
    'Paste the CA certificate in PEM form (-----BEGIN CERTIFICATE-----).',
  );

/** Schema of the add form: the registry URL as typed, the credential and its metadata. */
export const newEntryInputSchema = z.object({
  registry: z.string().max(1024, 'The registry URL is too long.'),
  name: nameField.optional(),
  username: usernameField.optional(),
  secret: secretField,
  email: emailField.optional(),
  notes: notesField.optional(),
  pipelines: pipelinesField.optional(),
  repositories: repositoriesField.optional(),
  pullOnly: z.boolean().optional(),
  expiresAt: expiresField.optional(),
  /** Where `expiresAt` was read, when it came from the token itself. */
  expiresFrom: z.enum(TOKEN_EXPIRY_SOURCES).optional(),
  rotateEveryDays: rotateField.optional(),
  insecure: z.boolean().optional(),
  caCertificate: caField.optional(),
  presetId: z.enum(presetIds).optional(),
});

/** Input of `addEntry`. A blank username takes the preset's fixed one (ECR: `AWS`). */
export type NewEntryInput = Readonly<z.input<typeof newEntryInputSchema>>;

/** Schema of the edit form. Absent fields stay; `null` clears an optional number or preset. */
export const entryPatchSchema = z.object({
  /** Accepted only when it normalizes to the entry's existing key (forms may send it back read-only). */
  registry: z.string().max(1024).optional(),
  name: nameField.optional(),
  username: usernameField.optional(),
  /** Blank or absent keeps the existing secret; anything else replaces it. */
  secret: secretField.optional(),
  email: emailField.optional(),
  notes: notesField.optional(),
  pipelines: pipelinesField.optional(),
  repositories: repositoriesField.optional(),
  pullOnly: z.boolean().optional(),
  expiresAt: expiresField.nullable().optional(),
  /** Where a new `expiresAt` was read (the token itself); an Expires set without it is the user's. */
  expiresFrom: z.enum(TOKEN_EXPIRY_SOURCES).nullable().optional(),
  rotateEveryDays: rotateField.nullable().optional(),
  insecure: z.boolean().optional(),
  caCertificate: caField.optional(),
  presetId: z.enum(presetIds).nullable().optional(),
});

/** Input of `editEntry`. */
export type EntryPatch = Readonly<z.input<typeof entryPatchSchema>>;

/** Parses form input; a failure names each wrong field with its sentence (the first per field). */
export function parseEntryInput<S extends z.ZodType>(schema: S, input: unknown): EntryResult<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fieldsError('invalid-input', fieldErrorsOf(parsed.error, 'registry'));
}

function fieldErrorsOf(error: z.ZodError, fallback: EntryField): FieldError<EntryField>[] {
  const found = new Map<EntryField, string>();
  for (const issue of error.issues) {
    const head = issue.path[0];
    const field = isEntryField(head) ? head : fallback;
    if (!found.has(field)) found.set(field, issue.message);
  }
  return [...found].map(([field, message]) => ({ field, message }));
}

/**
 * Strips the line break a terminal or editor leaves after a pasted token, as
 * `docker login --password-stdin` does; anything else in a secret is kept as typed.
 */
export function cleanSecret(secret: string): string {
  return secret.replace(/\r?\n$/, '');
}

type TextFields = Readonly<{
  email?: string;
  notes?: string;
  pipelines?: readonly string[];
  repositories?: readonly string[];
  caCertificate?: string;
}>;

/**
 * The free-text fields the input carries, cleaned as stored: trimmed, blanks removed
 * (`undefined` removes an optional field), pipelines without blanks or repeats in the order
 * typed. A field the input does not carry is absent, so an edit keeps the stored value.
 */
export function cleanTextFields(input: TextFields): {
  email?: string | undefined;
  notes?: string;
  pipelines?: string[];
  repositories?: string[] | undefined;
  caCertificate?: string | undefined;
} {
  return {
    ...(input.email !== undefined && { email: cleanOptional(input.email) }),
    ...(input.notes !== undefined && { notes: input.notes.trim() }),
    ...(input.pipelines !== undefined && { pipelines: cleanPipelines(input.pipelines) }),
    ...(input.repositories !== undefined && { repositories: cleanOptionalList(input.repositories) }),
    ...(input.caCertificate !== undefined && { caCertificate: cleanOptional(input.caCertificate) }),
  };
}

function cleanPipelines(pipelines: readonly string[]): string[] {
  return [...new Set(pipelines.map((p) => p.trim()).filter((p) => p !== ''))];
}

/** A list cleaned like pipelines; an empty one removes the field. */
function cleanOptionalList(items: readonly string[]): string[] | undefined {
  const cleaned = cleanPipelines(items);
  return cleaned.length === 0 ? undefined : cleaned;
}

function cleanOptional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
