/**
 * Reading, editing and deleting entries: pure transitions of a vault's `Y.Doc` (creation is in
 * entry-create.ts). Each validates its input first and writes in one transaction, so a peer
 * never sees half an edit.
 */
import { recordActivity } from './activity';
import * as Y from 'yjs';
import { ok } from '../result';
import { getPreset } from '../registry/presets';
import { displayRegistry, toRegistryKey } from '../registry/registry-key';
import {
  ENTRY_NOT_FOUND_MESSAGE,
  REGISTRY_IMMUTABLE_MESSAGE,
  USERNAME_MISSING,
  entryError,
  fieldError,
  type Entry,
  type EntryContext,
  type EntryResult,
} from './entry';
import { SECRETS_FIELD, decodeEntry, getEntriesMap, getEntryMap, replaceSecret, writeFields } from './entry-doc';
import { DEFAULT_HISTORY_LIMIT, pushHistory } from './secret-history';
import { cleanSecret, cleanTextFields, entryPatchSchema, parseEntryInput, type EntryPatch } from './entry-input';

/**
 * Ids of the readable entries stored under a registry key (two or more only after merging
 * offline copies). A damaged entry does not count: the user cannot see or edit it, so it
 * must not block adding the registry again.
 */
export function findEntriesByRegistry(doc: Y.Doc, key: string): string[] {
  const ids: string[] = [];
  getEntriesMap(doc).forEach((value, id) => {
    // Compare the raw field first so only candidates pay for a full decode.
    if (value instanceof Y.Map && value.get('registry') === key && decodeEntry(id, value) !== undefined) ids.push(id);
  });
  return ids;
}

/** Reads one entry, or says whether it is missing or damaged. */
export function getEntry(doc: Y.Doc, id: string): EntryResult<Entry> {
  if (!getEntriesMap(doc).has(id)) return entryError('entry-not-found', ENTRY_NOT_FOUND_MESSAGE);
  const decoded = decodeEntry(id, getEntriesMap(doc).get(id));
  if (decoded === undefined)
    return entryError('entry-damaged', 'This entry is damaged and cannot be read. Delete it and add it again.');
  return ok(decoded.entry);
}

/** Applies an edit: blank secret keeps the old one, a new secret restarts expiry and clears stale flags. */
export function editEntry(doc: Y.Doc, id: string, patch: EntryPatch, ctx: EntryContext): EntryResult<Entry> {
  const parsed = parseEntryInput(entryPatchSchema, patch);
  if (!parsed.ok) return parsed;
  const form = parsed.value;
  const current = getEntry(doc, id);
  if (!current.ok) return current;
  const entry = current.value;
  if (form.registry !== undefined && !isSameKey(form.registry, entry.registry)) {
    return fieldError('registry-immutable', 'registry', REGISTRY_IMMUTABLE_MESSAGE);
  }
  const username = form.username?.trim();
  if (username === '') return fieldError('invalid-input', 'username', USERNAME_MISSING);
  const typedSecret = form.secret === undefined ? '' : cleanSecret(form.secret);
  const newSecret = typedSecret.trim() === '' || typedSecret === entry.secret ? undefined : typedSecret;

  const now = ctx.now();
  const presetId = form.presetId === null ? undefined : (form.presetId ?? entry.presetId);
  const lifetime = presetId === undefined ? undefined : getPreset(presetId).lifetimeMs;
  const fields: Record<string, unknown> = {
    name: form.name === undefined ? entry.name : form.name.trim() || displayRegistry(entry.registry),
    username: username ?? entry.username,
    email: entry.email,
    notes: entry.notes,
    pipelines: entry.pipelines,
    repositories: entry.repositories,
    caCertificate: entry.caCertificate,
    ...cleanTextFields(form),
    pullOnly: form.pullOnly === undefined ? entry.pullOnly : form.pullOnly || undefined,
    expiresAt: pickExpiry(
      form.expiresAt,
      entry.expiresAt,
      newSecret !== undefined && lifetime !== undefined ? now + lifetime : undefined,
    ),
    expiresFrom: pickExpirySource(form.expiresAt, form.expiresFrom, entry.expiresFrom, newSecret !== undefined),
    rotateEveryDays: form.rotateEveryDays === undefined ? entry.rotateEveryDays : (form.rotateEveryDays ?? undefined),
    insecure: form.insecure ?? entry.insecure,
    presetId,
  };
  // A check or a rotation flag describes the credential it was made for, not the new one.
  if (newSecret !== undefined) fields['rotationRecommended'] = undefined;
  if (newSecret !== undefined || fields['username'] !== entry.username) fields['lastCheck'] = undefined;
  const changed = Object.entries(fields).some(([name, value]) => !isSameField(entry, name, value));
  if (!changed && newSecret === undefined) return current;

  const map = getEntryMap(doc, id);
  if (map === undefined) return entryError('entry-not-found', ENTRY_NOT_FOUND_MESSAGE);
  doc.transact(() => {
    writeFields(map, { ...fields, updatedAt: now, updatedBy: ctx.actor });
    if (newSecret !== undefined) {
      // The replaced secret goes into the history (secret-history.ts), newest first, within the profile's limit.
      const replaced = { value: entry.secret, at: entry.secretUpdatedAt, by: currentAuthor(map) };
      pushHistory(map, replaced, ctx.historyLimit ?? DEFAULT_HISTORY_LIMIT);
      replaceSecret(map, { versionId: ctx.newId(), value: newSecret, at: now, by: ctx.actor });
    }
    recordActivity(doc, newSecret === undefined ? 'edited' : 'rotated', [entry], ctx);
  });
  return getEntry(doc, id);
}

/** Who set the entry's current secret (the newest version's `by`). */
function currentAuthor(map: Y.Map<unknown>): string {
  const secrets = map.get(SECRETS_FIELD);
  let best: { at: number; by: string } | undefined;
  if (secrets instanceof Y.Map) {
    secrets.forEach((record: unknown) => {
      const { at, by } = (record ?? {}) as { at?: unknown; by?: unknown };
      if (typeof at === 'number' && typeof by === 'string' && (best === undefined || at > best.at)) best = { at, by };
    });
  }
  return best?.by ?? '';
}

/** Removes an entry, damaged or not. The UI confirms first and names the entry's pipelines. */
export function deleteEntry(doc: Y.Doc, id: string, ctx: EntryContext): EntryResult<void> {
  const entries = getEntriesMap(doc);
  if (!entries.has(id)) return entryError('entry-not-found', ENTRY_NOT_FOUND_MESSAGE);
  doc.transact(() => {
    recordActivity(doc, 'deleted', [{ id, registry: registryOf(doc, id) }], ctx);
    entries.delete(id);
  });
  return ok(undefined);
}

/** The registry an entry is stored under, also when it is damaged (then as much as it holds). */
export function registryOf(doc: Y.Doc, id: string): string {
  const registry = getEntryMap(doc, id)?.get('registry');
  return typeof registry === 'string' ? registry : '';
}

/** The explicit expiry if given (null clears it), else a new token's lifetime, else the current one. */
function pickExpiry(
  given: number | null | undefined,
  current: number | undefined,
  fresh: number | undefined,
): number | undefined {
  if (given === null) return undefined;
  return given ?? fresh ?? current;
}

/**
 * Where the expiry came from after an edit: a new date says its own source (none: the user's), a cleared date has
 * none, and a new secret's date is no longer the old token's.
 */
function pickExpirySource<S>(
  given: number | null | undefined,
  source: S | null | undefined,
  current: S | undefined,
  newSecret: boolean,
): S | undefined {
  if (given === null) return undefined;
  if (given !== undefined) return source ?? undefined;
  return newSecret ? undefined : current;
}

/** True when a typed URL is the stored key verbatim or normalizes to it. */
function isSameKey(typed: string, key: string): boolean {
  if (typed.trim() === key) return true;
  const normalized = toRegistryKey(typed);
  return normalized.ok && normalized.key === key;
}

function isSameField(entry: Entry, name: string, value: unknown): boolean {
  const stored: unknown = (entry as Readonly<Record<string, unknown>>)[name];
  return stored === value || JSON.stringify(stored) === JSON.stringify(value);
}
