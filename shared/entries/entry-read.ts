/**
 * The fast way to read a well-formed entry out of the document. Opening a vault of 10,000 entries
 * decodes every one of them, and a zod parse of each (jitless in the renderer, whose CSP forbids
 * eval) was a third of the unlock time. This reads the fields straight from the entry's Y.Map and
 * checks them by hand with exactly the rules of `entryFieldsSchema`; anything it does not
 * recognise as plainly valid (a wrong type, an unknown preset, a nested value of another shape)
 * returns undefined, and the caller falls back to the schema, which then decides. So the schema
 * stays the one authority, and this only skips it where its answer is certain.
 */
import * as Y from 'yjs';
import { presetIds, type PresetId } from '../registry/presets';
import { TOKEN_EXPIRY_SOURCES, type TokenExpirySource } from '../registry/token-expiry';
import type { Entry, LastCheck, RotationFlag } from './entry';

/** An entry's stored fields and its secret versions (version id → record), as read from the document. */
export type StoredEntry = Readonly<{
  fields: Omit<Entry, 'id' | 'secret' | 'secretUpdatedAt'>;
  records: ReadonlyMap<string, Readonly<{ value: string; at: number; by: string }>>;
}>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const knownPresets: ReadonlySet<unknown> = new Set(presetIds);
const knownSources: ReadonlySet<unknown> = new Set(TOKEN_EXPIRY_SOURCES);

/** A plain record (not an array, not a Yjs type, not null). */
function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Y.AbstractType);
}

function isEpochMs(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function readLastCheck(value: unknown): LastCheck | undefined {
  if (!isRecord(value)) return undefined;
  const { at, ok, code, message } = value;
  if (!isEpochMs(at) || typeof ok !== 'boolean' || typeof code !== 'string' || typeof message !== 'string') return;
  return { at, ok, code, message };
}

function readRotationFlag(value: unknown): RotationFlag | undefined {
  if (!isRecord(value)) return undefined;
  const { reason, at } = value;
  return typeof reason === 'string' && isEpochMs(at) ? { reason, at } : undefined;
}

/** A list of strings (pipelines, repositories), copied; undefined for anything else. */
function readPipelines(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const item of value) if (typeof item !== 'string') return undefined;
  return [...(value as string[])];
}

function readRecords(value: unknown): StoredEntry['records'] | undefined {
  if (!(value instanceof Y.Map)) return undefined; // (Y.Map's `size` walks an iterator: not asked here)
  const records = new Map<string, Readonly<{ value: string; at: number; by: string }>>();
  let valid = true;
  // forEach walks the map directly; the iterator protocol of Y.Map allocates per step.
  (value as Y.Map<unknown>).forEach((record, versionId) => {
    if (!valid || !isRecord(record)) return void (valid = false);
    const { value: secret, at, by } = record;
    if (typeof secret !== 'string' || !isEpochMs(at) || typeof by !== 'string') return void (valid = false);
    records.set(versionId, { value: secret, at, by });
  });
  return valid && records.size > 0 ? records : undefined;
}

/** Checks an optional field: absent is fine, present must pass `valid`. */
function optional(value: unknown, valid: (value: unknown) => boolean): boolean {
  return value === undefined || valid(value);
}

const isText = (value: unknown) => typeof value === 'string';
const isPositiveInteger = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
const isBoolean = (value: unknown) => typeof value === 'boolean';
const isKnownPreset = (value: unknown) => knownPresets.has(value);
const isKnownSource = (value: unknown) => knownSources.has(value);

/**
 * The optional fields: absent stays absent; present must be valid, else false (the schema then decides).
 * Plain statements on purpose: this runs for every entry of a vault being opened.
 */
function readOptionalFields(map: Y.Map<unknown>, fields: Mutable<StoredEntry['fields']>): boolean {
  const email = map.get('email');
  const caCertificate = map.get('caCertificate');
  const expiresAt = map.get('expiresAt');
  const rotateEveryDays = map.get('rotateEveryDays');
  const insecure = map.get('insecure');
  const presetId = map.get('presetId');
  const lastCheck = map.get('lastCheck');
  const rotationRecommended = map.get('rotationRecommended');
  const rawRepositories = map.get('repositories');
  const repositories = rawRepositories === undefined ? undefined : readPipelines(rawRepositories);
  const pullOnly = map.get('pullOnly');
  const expiresFrom = map.get('expiresFrom');
  const check = lastCheck === undefined ? undefined : readLastCheck(lastCheck);
  const flag = rotationRecommended === undefined ? undefined : readRotationFlag(rotationRecommended);
  const valid =
    optional(email, isText) &&
    optional(caCertificate, isText) &&
    optional(expiresAt, isEpochMs) &&
    optional(rotateEveryDays, isPositiveInteger) &&
    optional(insecure, isBoolean) &&
    optional(presetId, isKnownPreset) &&
    (lastCheck === undefined || check !== undefined) &&
    (rotationRecommended === undefined || flag !== undefined) &&
    (rawRepositories === undefined || repositories !== undefined) &&
    optional(pullOnly, isBoolean) &&
    optional(expiresFrom, isKnownSource);
  if (!valid) return false;
  if (email !== undefined) fields.email = email as string;
  if (caCertificate !== undefined) fields.caCertificate = caCertificate as string;
  if (expiresAt !== undefined) fields.expiresAt = expiresAt as number;
  if (rotateEveryDays !== undefined) fields.rotateEveryDays = rotateEveryDays as number;
  if (insecure !== undefined) fields.insecure = insecure as boolean;
  if (presetId !== undefined) fields.presetId = presetId as PresetId;
  if (check !== undefined) fields.lastCheck = check;
  if (flag !== undefined) fields.rotationRecommended = flag;
  if (repositories !== undefined) fields.repositories = repositories;
  if (pullOnly !== undefined) fields.pullOnly = pullOnly as boolean;
  if (expiresFrom !== undefined) fields.expiresFrom = expiresFrom as TokenExpirySource;
  return true;
}

/** Reads a plainly valid entry map; undefined when anything is unusual (the schema then decides). */
export function readStoredEntry(map: Y.Map<unknown>, secretsField: string): StoredEntry | undefined {
  const registry = map.get('registry');
  const pipelines = readPipelines(map.get('pipelines'));
  const createdAt = map.get('createdAt');
  const updatedAt = map.get('updatedAt');
  const name = map.get('name');
  const username = map.get('username');
  const notes = map.get('notes');
  const createdBy = map.get('createdBy');
  const updatedBy = map.get('updatedBy');
  if (typeof registry !== 'string' || registry === '' || pipelines === undefined) return undefined;
  if (!isEpochMs(createdAt) || !isEpochMs(updatedAt)) return undefined;
  if (typeof name !== 'string' || typeof username !== 'string' || typeof notes !== 'string') return undefined;
  if (typeof createdBy !== 'string' || typeof updatedBy !== 'string') return undefined;
  const fields = { registry, name, username, notes, pipelines, createdAt, updatedAt, createdBy, updatedBy };
  if (!readOptionalFields(map, fields)) return undefined;
  const records = readRecords(map.get(secretsField));
  return records && { fields, records };
}
