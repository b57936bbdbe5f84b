import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { DOCKER_HUB_KEY, readDockerKey } from '../../../shared/registry/registry-key';
import { failure, success } from './types';
import type {
  CredentialStore,
  DockerConfigEntry,
  DockerConfigOptions,
  DockerConfigResult,
  DockerConfigView,
} from './types';

/** The file name Docker reads inside its config directory. */
export const CONFIG_FILE_NAME = 'config.json';

// Only the keys Regvault reads are checked; everything else is kept verbatim from `raw`.
const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  email: z.string().optional(),
  identitytoken: z.string().optional(),
});
const configSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
});

/** One `auths` value as Regvault reads it. */
export type AuthEntry = z.infer<typeof authEntrySchema>;

/** A parsed config.json: the untouched object, its bytes and the typed fields Regvault uses. */
export type LoadedConfig = Readonly<{
  path: string;
  text: string | null;
  digest: string | null;
  raw: Record<string, unknown>;
  auths: Readonly<Record<string, AuthEntry>>;
  credsStore?: string;
  credHelpers: Readonly<Record<string, string>>;
}>;

/** Docker's rule: `$DOCKER_CONFIG`, else `~/.docker`; an explicit configDir wins over both. */
export function resolveConfigDir(options: DockerConfigOptions): string {
  if (options.configDir !== undefined) return options.configDir;
  const fromEnv = (options.env ?? process.env)['DOCKER_CONFIG'];
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv;
  return join(options.home ?? homedir(), '.docker');
}

/** SHA-256 of the file text, to notice that someone else wrote the file between plan and apply. */
export function digestText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads and validates config.json; a missing or empty file is an empty config, as in Docker. */
export async function loadConfig(path: string): Promise<DockerConfigResult<LoadedConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return success({ path, text: null, digest: null, raw: {}, auths: {}, credHelpers: {} });
    return failure(
      'io',
      `Cannot read ${path} (${code ?? String(error)}). Check that the file is readable by your user.`,
    );
  }
  if (text.trim().length === 0)
    return success({ path, text, digest: digestText(text), raw: {}, auths: {}, credHelpers: {} });
  return parseConfigText(path, text);
}

/**
 * Where a JSON parse failed, as line and column only: the parser's own message quotes the text
 * around the error, which in config.json is often base64(username:secret).
 */
function whereInText(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${String(line)}, column ${String(column)})`;
}

function parseConfigText(path: string, text: string): DockerConfigResult<LoadedConfig> {
  const fix = 'Regvault leaves it untouched; fix or move the file (docker login fails on it too), then try again.';
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return failure('config-malformed', `${path} is not valid JSON${whereInText(text, error)}. ${fix}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return failure('config-malformed', `${path} does not hold a JSON object. ${fix}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    return failure('config-malformed', `${path} has unexpected values at ${where}. ${fix}`);
  }
  const { auths, credsStore, credHelpers } = parsed.data;
  return success({
    path,
    text,
    digest: digestText(text),
    raw: raw as Record<string, unknown>,
    auths: auths ?? {},
    ...(credsStore !== undefined && credsStore.length > 0 ? { credsStore } : {}),
    credHelpers: credHelpers ?? {},
  });
}

/** An own property only: registry keys such as `constructor` must never reach Object.prototype. */
export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Docker's choice of store for a key: `credHelpers[key]` (exact key), else `credsStore`, else the file. */
export function routeStore(config: Pick<LoadedConfig, 'credsStore' | 'credHelpers'>, key: string): CredentialStore {
  const helper = getOwn(config.credHelpers, key);
  if (helper !== undefined && helper.length > 0) return { kind: 'helper', helper };
  if (config.credsStore !== undefined) return { kind: 'helper', helper: config.credsStore };
  return { kind: 'file' };
}

/**
 * The `auths` key holding a registry: the canonical key itself, else a legacy alias
 * (`https://ghcr.io`, `docker.io`). Aliases of Docker Hub are reported but flagged,
 * because Docker only ever looks Docker Hub up under its exact key.
 */
export function findAuthKey(auths: Readonly<Record<string, unknown>>, registry: string): string | undefined {
  if (Object.hasOwn(auths, registry)) return registry;
  return Object.keys(auths).find((key) => fileKeyRegistry(key) === registry);
}

/** True when Docker itself would find the registry under this file key. */
export function isKeyDockerResolves(fileKey: string, registry: string): boolean {
  return fileKey === registry || registry !== DOCKER_HUB_KEY;
}

/**
 * The registry a key found in config.json names, read as Docker reads it (the lenient mode of
 * the one registry-key rule); a key that names no registry stays as written.
 */
export function fileKeyRegistry(key: string): string {
  const read = readDockerKey(key);
  return read.ok ? read.key : key;
}

/** `base64(username:secret)`, exactly what docker login writes. */
export function encodeAuth(username: string, secret: string): string {
  return Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
}

/** Username and secret of a file-stored entry; `auth` is split at the first `:` only. */
export function decodeAuthEntry(entry: AuthEntry): Readonly<{ username: string; secret: string }> | null {
  if (entry.auth !== undefined && entry.auth.length > 0) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(entry.auth)) return null;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    return { username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, secret: entry.password };
  return null;
}

/** An `auths` value that only marks a helper-held credential, as docker login leaves it. */
export function isPlaceholder(entry: AuthEntry | undefined): boolean {
  if (entry === undefined) return false;
  return entry.auth === undefined && entry.password === undefined && entry.identitytoken === undefined;
}

/** One entry per canonical registry, the exact key preferred over legacy aliases. */
export function listEntries(config: LoadedConfig): DockerConfigEntry[] {
  const chosen = new Map<string, string>();
  for (const key of Object.keys(config.auths)) {
    const registry = fileKeyRegistry(key);
    if (!chosen.has(registry) || key === registry) chosen.set(registry, key);
  }
  return [...chosen].map(([registry, key]) => {
    const entry = config.auths[key] ?? {};
    const store = routeStore(config, registry);
    const decoded = store.kind === 'file' ? decodeAuthEntry(entry) : null;
    return {
      registry,
      key,
      ...(decoded ? { username: decoded.username } : {}),
      ...(entry.email !== undefined ? { email: entry.email } : {}),
      store,
    };
  });
}

/** Tab-indented like Docker's own writer; a trailing newline only if the file had one. */
export function serializeConfig(raw: Readonly<Record<string, unknown>>, previousText: string | null): string {
  const text = JSON.stringify(raw, null, '\t');
  return previousText !== null && previousText.endsWith('\n') ? `${text}\n` : text;
}

/** Public view of a loaded config. */
export function toView(config: LoadedConfig): DockerConfigView {
  return {
    path: config.path,
    exists: config.text !== null,
    entries: listEntries(config),
    ...(config.credsStore !== undefined ? { credsStore: config.credsStore } : {}),
    credHelpers: config.credHelpers,
    raw: config.raw,
  };
}
