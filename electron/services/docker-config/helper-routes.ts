// "Use Regvault for these registries" and its way back: `credHelpers[<host>] = "regvault"` so Docker
// asks docker-credential-regvault (and config.json holds no secret), and removing those registries'
// base64 `auths` entries; switching back deletes the "regvault" mapping. Planned here, shown in the
// review, written by apply with the rest of the plan.
import { toRegistryKey } from '../../../shared/registry/registry-key';
import { findAuthKey, getOwn, isPlaceholder, type LoadedConfig } from './config-file';
import { failure, success, type DockerConfigResult, type HelperRoute, type RemovalItem } from './types';

/** The helper name Docker maps to docker-credential-regvault. */
export const REGVAULT_HELPER = 'regvault';

/** What routing changes: the new mappings, the base64 entries they make obsolete, and the config as Docker will route it. */
export type PlannedRoutes = Readonly<{ routes: HelperRoute[]; removals: RemovalItem[]; routed: LoadedConfig }>;

function keysOf(inputs: readonly string[]): DockerConfigResult<string[]> {
  const keys: string[] = [];
  for (const input of inputs) {
    const read = toRegistryKey(input);
    if (!read.ok) return failure('invalid-entry', `"${input}" is not a registry address, so Docker cannot route it.`);
    keys.push(read.key);
  }
  return success(keys);
}

/** Plans `credHelpers` changes: `use` maps registries to Regvault, `stop` removes Regvault's mappings. */
export function planHelperRoutes(
  config: LoadedConfig,
  use: readonly string[],
  stop: readonly string[],
): DockerConfigResult<PlannedRoutes> {
  const used = keysOf(use);
  if (!used.ok) return used;
  const stopped = keysOf(stop);
  if (!stopped.ok) return stopped;
  if (used.value.some((key) => stopped.value.includes(key))) {
    return failure('invalid-entry', 'A registry cannot be routed to Regvault and away from it in the same plan.');
  }
  const routes: HelperRoute[] = [];
  const removals: RemovalItem[] = [];
  let credHelpers: Record<string, string> = { ...config.credHelpers };
  for (const key of used.value) {
    if (getOwn(config.credHelpers, key) !== REGVAULT_HELPER) routes.push({ registry: key, helper: REGVAULT_HELPER });
    credHelpers[key] = REGVAULT_HELPER;
    const fileKey = findAuthKey(config.auths, key);
    // The secret in base64 is what this switch is for: it leaves config.json (placeholders may stay).
    if (fileKey !== undefined && !isPlaceholder(getOwn(config.auths, fileKey))) {
      removals.push({ registry: fileKey, store: { kind: 'file' } });
    }
  }
  for (const key of stopped.value) {
    if (getOwn(config.credHelpers, key) !== REGVAULT_HELPER) continue;
    routes.push({ registry: key, helper: null });
    credHelpers = withoutKey(credHelpers, key);
  }
  return success({ routes, removals, routed: { ...config, credHelpers } });
}

/** `credHelpers` after the routes, in the file's order (a new mapping goes last). */
export function applyRoutes(
  current: Readonly<Record<string, unknown>> | undefined,
  routes: readonly HelperRoute[],
): Record<string, unknown> {
  let next: Record<string, unknown> = { ...(current ?? {}) };
  for (const route of routes) {
    if (route.helper === null) next = withoutKey(next, route.registry);
    else next[route.registry] = route.helper;
  }
  return next;
}

function withoutKey<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}
