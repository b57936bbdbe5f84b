/**
 * Login checks as data: what a check is asked (from an entry or from the add / edit form as
 * typed), what is stored on the entry afterwards, and what the form says about the result.
 * Pure: the IPC call lives in `login-check.svelte.ts`.
 */
import type { Entry, LastCheck } from '../../../shared/entries';
import { cleanSecret } from '../../../shared/entries/entry-input';
import type { ResponseOf } from '../../../shared/ipc/contract';
import type { EntryFormFields } from './entry-form';

/** What a login check reports, as the main process answered it. */
export type LoginCheckResult = ResponseOf<'registry:check-login'>;

/** The credential fields a check needs (an entry, or the add/edit form before saving). */
export type CheckTarget = Readonly<{
  registry: string;
  username: string;
  secret: string;
  insecure?: boolean;
  caCertificate?: string;
}>;

/** What the form's inline result says: a passed check (a status) or a failure with what to do (an alert). */
export type FormCheckView = Readonly<{ ok: boolean; title: string; message: string; hint: string }>;

/** Turns a check's verdict into the record stored on the entry (what the status badge shows). */
export function toLastCheck(result: LoginCheckResult, at: number): LastCheck {
  return {
    at,
    ok: result.ok,
    code: result.code,
    message: result.ok ? result.message : `${result.message} ${result.hint}`.trim(),
  };
}

/**
 * The credential the form would save, cleaned the way the entry model cleans it. Editing, the
 * URL is the stored key and a blank password means the stored secret, as Save would keep it.
 */
export function toFormCheckTarget(fields: EntryFormFields, stored?: Pick<Entry, 'registry' | 'secret'>): CheckTarget {
  const secret = fields.secret === '' && stored !== undefined ? stored.secret : cleanSecret(fields.secret);
  return {
    registry: stored?.registry ?? fields.registry.trim(),
    username: fields.username.trim(),
    secret,
    insecure: fields.insecure,
    caCertificate: fields.caCertificate,
  };
}

/** Identifies the typed values a form check tested; when it changes, the result no longer applies. */
export function checkSignature(fields: EntryFormFields): string {
  return JSON.stringify([fields.registry, fields.username, fields.secret, fields.insecure, fields.caCertificate]);
}

/** Whether two versions of an entry hold the same credential, so a check of one is a check of the other. */
export function isSameCredential(a: Entry, b: Entry): boolean {
  return (
    a.registry === b.registry &&
    a.username === b.username &&
    a.secret === b.secret &&
    (a.insecure ?? false) === (b.insecure ?? false) &&
    (a.caCertificate ?? '') === (b.caCertificate ?? '')
  );
}

/** Whether a check of `target` tested the credential `entry` holds (e.g. the edit form, password left blank). */
export function isCheckOf(target: CheckTarget, entry: Entry): boolean {
  return (
    target.registry === entry.registry &&
    target.username === entry.username &&
    target.secret === entry.secret &&
    (target.insecure ?? false) === (entry.insecure ?? false) &&
    (target.caCertificate ?? '').trim() === (entry.caCertificate ?? '')
  );
}

/** The form's inline text for a check result. */
export function describeFormCheck(result: LoginCheckResult): FormCheckView {
  return {
    ok: result.ok,
    title: result.ok ? 'Login OK.' : 'Login failed.',
    message: result.message,
    hint: result.hint,
  };
}
