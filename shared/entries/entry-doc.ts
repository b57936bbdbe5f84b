/**
 * The Yjs layout of a vault (DESIGN.md §4): `doc.getMap('entries')` maps an entry id to a
 * `Y.Map` of fields, so concurrent edits of different fields of one entry both survive.
 *
 * - `pipelines` is a plain JSON array value, not a `Y.Array`: the form edits the list as a
 *   whole, so last-writer-wins per field (like `name` or `notes`) is the expected result; a
 *   Y.Array would merge two offline edits of the list into duplicates and half-removed items.
 * - The secret lives in a nested `Y.Map` `secrets`: version id → `{ value, at, by }`. Setting
 *   a secret deletes the versions the writer saw and adds one. Two offline rotations of the
 *   same entry therefore leave two versions after merging, which we report as a conflict,
 *   instead of Yjs silently keeping one of the two secrets.
 * - The entry id is the map key only; it is not repeated inside the fields.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { entryFieldsSchema, type Entry } from './entry';
import { readStoredEntry, type StoredEntry } from './entry-read';

/** The name of the root map that holds every entry of a vault. */
export const ENTRIES_MAP = 'entries';

/** The field of an entry map that holds its secret versions. */
export const SECRETS_FIELD = 'secrets';

/** One stored value of an entry's secret; more than one at a time means a conflict. */
export type SecretVersion = Readonly<{ versionId: string; value: string; at: number; by: string }>;

/** An entry decoded from the document, with every secret version it holds. */
export type DecodedEntry = Readonly<{ entry: Entry; versions: readonly SecretVersion[] }>;

const secretRecordSchema = z.object({ value: z.string(), at: z.number().int().nonnegative(), by: z.string() });
const storedEntrySchema = entryFieldsSchema.extend({
  [SECRETS_FIELD]: z.record(z.string(), secretRecordSchema).refine((r) => Object.keys(r).length > 0, 'no secret'),
});

/** The root map of entries of a vault document. */
export function getEntriesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ENTRIES_MAP);
}

/** The field map of one entry, or undefined when the id is absent or its value is not a map. */
export function getEntryMap(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  const value = getEntriesMap(doc).get(id);
  return value instanceof Y.Map ? (value as Y.Map<unknown>) : undefined;
}

/** Decodes and validates one entry; undefined when it is malformed (the caller reports it as damaged). */
export function decodeEntry(id: string, value: unknown): DecodedEntry | undefined {
  if (!(value instanceof Y.Map)) return undefined;
  // The common case skips the schema (see entry-read.ts); anything unusual goes through it.
  const stored = readStoredEntry(value as Y.Map<unknown>, SECRETS_FIELD) ?? parseStoredEntry(value);
  if (stored === undefined) return undefined;
  const { fields, records } = stored;
  const versions = [...records].map(([versionId, record]) => ({ versionId, ...record })).sort(compareVersions);
  const current = versions[0];
  if (current === undefined) return undefined;
  const entry: Entry = { ...fields, id, secret: current.value, secretUpdatedAt: current.at };
  return { entry, versions };
}

/** The schema's reading of an entry map (the authority on what is valid); undefined when it refuses it. */
export function parseStoredEntry(value: Y.Map<unknown>): StoredEntry | undefined {
  const parsed = storedEntrySchema.safeParse(value.toJSON());
  if (!parsed.success) return undefined;
  const { [SECRETS_FIELD]: records, ...fields } = parsed.data;
  return { fields, records: new Map(Object.entries(records)) };
}

/** Newest first; ties broken by version id so every peer picks the same current secret. */
function compareVersions(a: SecretVersion, b: SecretVersion): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.versionId < b.versionId ? 1 : a.versionId > b.versionId ? -1 : 0;
}

/** Sets each field to its value, deletes fields given as undefined, and skips unchanged ones. */
export function writeFields(map: Y.Map<unknown>, fields: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) {
      if (map.has(name)) map.delete(name);
    } else if (!isSameValue(map.get(name), value)) {
      map.set(name, value);
    }
  }
}

/** Replaces every secret version this peer sees with one new version. Call inside a transaction. */
export function replaceSecret(map: Y.Map<unknown>, version: SecretVersion): void {
  let secrets = map.get(SECRETS_FIELD);
  if (!(secrets instanceof Y.Map)) {
    secrets = new Y.Map<unknown>();
    map.set(SECRETS_FIELD, secrets);
  }
  const versions = secrets as Y.Map<unknown>;
  for (const versionId of Array.from(versions.keys())) versions.delete(versionId);
  versions.set(version.versionId, { value: version.value, at: version.at, by: version.by });
}

/** Deletes every secret version except `keepId`; returns false when `keepId` is not a version. */
export function keepSecretVersion(map: Y.Map<unknown>, keepId: string): boolean {
  const secrets = map.get(SECRETS_FIELD);
  if (!(secrets instanceof Y.Map) || !secrets.has(keepId)) return false;
  for (const versionId of Array.from(secrets.keys())) if (versionId !== keepId) secrets.delete(versionId);
  return true;
}

/** Compares stored JSON values: primitives by identity, arrays and objects by their JSON text. */
function isSameValue(stored: unknown, next: unknown): boolean {
  if (stored === next) return true;
  if (typeof stored !== 'object' || typeof next !== 'object' || stored === null || next === null) return false;
  if (stored instanceof Y.AbstractType) return false;
  return JSON.stringify(stored) === JSON.stringify(next);
}
