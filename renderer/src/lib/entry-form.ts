/**
 * The add / edit registry form as plain data: what each field holds as typed, how a preset
 * fills it, and how it becomes a `NewEntryInput` or `EntryPatch`. The entry model validates
 * again; this layer only turns text into the model's types and routes errors to fields.
 */
import {
  isEntryField,
  type Entry,
  type EntryField,
  type EntryPatch,
  type NewEntryInput,
} from '../../../shared/entries';
import { failWith, ok, type Failure, type FieldError, type Result } from '../../../shared/result';
import {
  detectPreset,
  displayRegistry,
  getPreset,
  presetWarnings,
  toRegistryKey,
  type PresetId,
} from '../../../shared/registry';
import type { TokenExpiry, TokenExpirySource } from '../../../shared/registry/token-expiry';

/** Every field of the form, as the inputs hold it. */
export type EntryFormFields = {
  presetId: PresetId;
  registry: string;
  username: string;
  secret: string;
  email: string;
  name: string;
  notes: string;
  pipelines: string;
  /** Repositories the pipelines use ("team/api"), separated by commas or new lines. */
  repositories: string;
  /** The pipelines only pull: Test access warns when the token can push. */
  pullOnly: boolean;
  /** A `datetime-local` value (local time), or empty. */
  expires: string;
  /** Where `expires` was read when the token itself carries it (filled automatically); empty when typed. */
  expiresFrom: TokenExpirySource | '';
  rotateEveryDays: string;
  insecure: boolean;
  caCertificate: string;
};

/** A field name, or `form` for a message about the whole form. */
export type FormField = keyof EntryFormFields | 'form';

/** Messages (errors or warnings) by field. */
export type FieldMessages = Partial<Record<FormField, string>>;

/** Why a form could not be converted: the fields it is about, as data. */
export type FormFailure = Failure<'invalid-form'> & Readonly<{ fields: readonly FieldError<FormField>[] }>;

/** A converted form, or which fields could not be converted and why. */
export type FormResult<T> = Result<T, FormFailure>;

/** Whether the form adds a new entry or edits an existing one. */
export type FormMode = 'add' | 'edit';

/** The preset a new form starts with: Docker Hub, the seed's first registry. */
export const DEFAULT_PRESET: PresetId = 'docker-hub';

/** Presets of registries people run themselves, where plain HTTP or a private CA is plausible. */
const SELF_HOSTABLE: ReadonlySet<PresetId> = new Set(['private', 'harbor', 'gitlab', 'quay']);

/** An empty add form for a preset: its fixed URL and username filled in. */
export function blankForm(presetId: PresetId = DEFAULT_PRESET): EntryFormFields {
  const preset = getPreset(presetId);
  return {
    presetId,
    registry: preset.defaultUrl ?? '',
    username: preset.defaultUsername ?? '',
    secret: '',
    email: '',
    name: '',
    notes: '',
    pipelines: '',
    repositories: '',
    pullOnly: false,
    expires: '',
    expiresFrom: '',
    rotateEveryDays: '',
    insecure: false,
    caCertificate: '',
  };
}

/** Switches preset, replacing the URL and username only where they still hold the old preset's defaults. */
export function choosePreset(fields: EntryFormFields, next: PresetId): EntryFormFields {
  const before = getPreset(fields.presetId);
  const after = getPreset(next);
  const untouched = (value: string, old: string | undefined) => value.trim() === '' || value === (old ?? '');
  return {
    ...fields,
    presetId: next,
    registry: untouched(fields.registry, before.defaultUrl) ? (after.defaultUrl ?? '') : fields.registry,
    username: untouched(fields.username, before.defaultUsername) ? (after.defaultUsername ?? '') : fields.username,
  };
}

/**
 * The preset an add form should show when the user has not picked one: the one the typed URL
 * (and username) belongs to, as the model would detect it. While the URL does not parse yet,
 * the preset stays as it is, so typing does not make the hints flicker.
 */
export function followTypedUrl(fields: EntryFormFields): EntryFormFields {
  const key = toRegistryKey(fields.registry);
  if (!key.ok) return fields;
  const presetId = detectPreset(key.key, fields.username).id;
  return presetId === fields.presetId ? fields : { ...fields, presetId };
}

/** The edit form of an entry: every field as stored, the password blank (blank keeps it). */
export function formFromEntry(entry: Entry): EntryFormFields {
  return {
    presetId: entry.presetId ?? detectPreset(entry.registry, entry.username).id,
    registry: displayRegistry(entry.registry),
    username: entry.username,
    secret: '',
    email: entry.email ?? '',
    name: entry.name,
    notes: entry.notes,
    pipelines: entry.pipelines.join(', '),
    repositories: (entry.repositories ?? []).join(', '),
    pullOnly: entry.pullOnly ?? false,
    expires: entry.expiresAt === undefined ? '' : toLocalInput(entry.expiresAt),
    expiresFrom: entry.expiresFrom ?? '',
    rotateEveryDays: entry.rotateEveryDays === undefined ? '' : String(entry.rotateEveryDays),
    insecure: entry.insecure ?? false,
    caCertificate: entry.caCertificate ?? '',
  };
}

/** True when the form offers "Allow plain HTTP" and a CA certificate: self-hosted registries, or already set. */
export function showsTlsOptions(fields: EntryFormFields): boolean {
  return SELF_HOSTABLE.has(fields.presetId) || fields.insecure || fields.caCertificate.trim() !== '';
}

/** Converts the add form into the model's input. */
export function toNewEntryInput(fields: EntryFormFields): FormResult<NewEntryInput> {
  const numbers = parseNumbers(fields);
  if (!numbers.ok) return numbers;
  return ok({
    ...textFields(fields),
    registry: fields.registry,
    expiresAt: numbers.value.expiresAt,
    ...(fields.expiresFrom !== '' && numbers.value.expiresAt !== undefined ? { expiresFrom: fields.expiresFrom } : {}),
    pullOnly: fields.pullOnly ? true : undefined,
    rotateEveryDays: numbers.value.rotateEveryDays,
    insecure: fields.insecure ? true : undefined,
    // "Private / self-hosted" means "none of the above": let the model recognise the URL.
    presetId: fields.presetId === 'private' ? undefined : fields.presetId,
  });
}

/**
 * Converts the edit form into a patch. The expiry is sent only when the user changed it, so a
 * new ECR token left with its old expiry gets a fresh 12 h from the model; cleared means none.
 */
export function toEntryPatch(fields: EntryFormFields, original: EntryFormFields): FormResult<EntryPatch> {
  const numbers = parseNumbers(fields);
  if (!numbers.ok) return numbers;
  const expiryChanged = fields.expires !== original.expires;
  return ok({
    ...textFields(fields),
    expiresAt: expiryChanged ? (numbers.value.expiresAt ?? null) : undefined,
    expiresFrom: expiryChanged ? fields.expiresFrom || null : undefined,
    pullOnly: fields.pullOnly,
    rotateEveryDays: numbers.value.rotateEveryDays ?? null,
    insecure: fields.insecure,
  });
}

/** The fields add and edit send the same way: text as typed, pipelines split. */
function textFields(fields: EntryFormFields) {
  return {
    name: fields.name,
    username: fields.username,
    secret: fields.secret,
    email: fields.email,
    notes: fields.notes,
    pipelines: splitPipelines(fields.pipelines),
    repositories: splitPipelines(fields.repositories),
    caCertificate: fields.caCertificate,
  };
}

/** Names (pipelines, repositories) separated by commas or new lines, blanks dropped. */
function splitPipelines(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

type Numbers = { expiresAt: number | undefined; rotateEveryDays: number | undefined };

function parseNumbers(fields: EntryFormFields): FormResult<Numbers> {
  const expiresAt = fields.expires.trim() === '' ? undefined : fromLocalInput(fields.expires);
  if (expiresAt === null) return formError('expires', 'Pick an expiry date and time, or leave it empty.');
  const rotateText = fields.rotateEveryDays.trim();
  const rotateEveryDays = rotateText === '' ? undefined : Number(rotateText);
  if (rotateEveryDays !== undefined && !Number.isInteger(rotateEveryDays)) {
    return formError('rotateEveryDays', 'Enter a whole number of days, or leave it empty.');
  }
  return ok({ expiresAt, rotateEveryDays });
}

function formError(field: FormField, message: string): Result<never, FormFailure> {
  return failWith({ code: 'invalid-form', message, fields: [{ field, message }] });
}

// The model's field names where the form names them differently; a field the form lacks goes to `form`.
const FORM_FIELDS: Readonly<Record<EntryField, FormField>> = {
  registry: 'registry',
  name: 'name',
  username: 'username',
  secret: 'secret',
  email: 'email',
  notes: 'notes',
  pipelines: 'pipelines',
  repositories: 'repositories',
  pullOnly: 'pullOnly',
  expiresAt: 'expires',
  expiresFrom: 'expires',
  rotateEveryDays: 'rotateEveryDays',
  insecure: 'insecure',
  caCertificate: 'caCertificate',
  presetId: 'presetId',
  reason: 'form',
  check: 'form',
};

/** Routes a failed save to the fields it names (the model's field errors, or the form's own); else to `form`. */
export function messagesOf(error: Failure & Readonly<{ fields?: readonly FieldError[] }>): FieldMessages {
  const messages: FieldMessages = {};
  for (const { field, message } of error.fields ?? []) {
    const target = isEntryField(field) ? FORM_FIELDS[field] : 'form';
    messages[target] = messages[target] === undefined ? message : `${messages[target]} ${message}`;
  }
  return Object.keys(messages).length > 0 ? messages : { form: error.message };
}

/** Soft warnings of the preset (never blocking), by field; none until the URL is a valid registry. */
export function formWarnings(fields: EntryFormFields): FieldMessages {
  const key = toRegistryKey(fields.registry);
  if (!key.ok) return {};
  const warnings: FieldMessages = {};
  const found = presetWarnings({
    key: key.key,
    username: fields.username,
    secret: fields.secret,
    presetId: fields.presetId === 'private' ? undefined : fields.presetId,
  });
  for (const warning of found) {
    const earlier = warnings[warning.field];
    warnings[warning.field] = earlier === undefined ? warning.message : `${earlier} ${warning.message}`;
  }
  return warnings;
}

/** What the Expires field says about the preset's token lifetime. */
export function expiryHint(presetId: PresetId, mode: FormMode): string {
  const preset = getPreset(presetId);
  if (preset.lifetimeMs === undefined) return 'Optional: when the password or token stops working.';
  const hours = Math.round(preset.lifetimeMs / 3_600_000);
  return mode === 'add'
    ? `Leave empty: ${preset.label} tokens expire ${hours} h after they are issued, and Regvault fills that in.`
    : `A new token resets this to ${hours} h from now unless you change it here.`;
}

/** The form after a token-carried expiry was found: Expires filled "from the token", unless the user typed one. */
export function fillTokenExpiry(fields: EntryFormFields, expiry: TokenExpiry | undefined): EntryFormFields {
  if (expiry === undefined) return fields.expiresFrom === '' ? fields : { ...fields, expires: '', expiresFrom: '' };
  const userTyped = fields.expires.trim() !== '' && fields.expiresFrom === '';
  return userTyped ? fields : { ...fields, expires: toLocalInput(expiry.at), expiresFrom: expiry.from };
}

/** The Expires field's note about where its date came from. */
export function describeExpirySource(source: TokenExpirySource | ''): string {
  if (source === '') return '';
  const where = {
    jwt: "the token's exp claim",
    ecr: 'the ECR authorization token',
    github: "GitHub's answer to the login check",
  };
  return `Filled in from the token (${where[source]}). Change it to override.`;
}

/** Epoch ms as a `datetime-local` value in local time (minutes precision). */
function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as epoch ms, or null when it is not a date. */
function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim())) return null;
  const ms = new Date(value.trim()).getTime();
  return Number.isNaN(ms) ? null : ms;
}
