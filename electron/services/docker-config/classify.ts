// What config.json (or its credential helper) holds for one registry, against what Regvault would
// write: one rule for the plan (which has the secret) and the comparison behind the badges (which
// has only a keyed digest of it), so the two never disagree.
import { decodeAuthEntry, findAuthKey, getOwn, isKeyDockerResolves, isPlaceholder } from './config-file';
import type { LoadedConfig } from './config-file';
import type { HelperCredential } from './credential-helper';
import type { DockerConfigResult } from './types';
import { success } from './types';

/** How a registry's stored login compares with the wanted one. */
export type HeldStatus = 'added' | 'changed' | 'unchanged';

/** The login to look for; `secretMatches` says whether a stored secret is the wanted one. */
export type WantedLogin = Readonly<{
  registry: string;
  username: string;
  email?: string;
  secretMatches: (secret: string) => boolean;
}>;

/** Reads a helper's credential for a registry (the plan asks the helper; the comparison caches it). */
export type ReadHelper = (helper: string, registry: string) => Promise<DockerConfigResult<HelperCredential | null>>;

/** A login stored in config.json itself: absent (added), the same (unchanged) or another (changed). */
export function classifyFileLogin(config: LoadedConfig, wanted: WantedLogin): HeldStatus {
  const key = findAuthKey(config.auths, wanted.registry);
  const entry = key === undefined ? undefined : getOwn(config.auths, key);
  if (key === undefined || entry === undefined) return 'added';
  const current = decodeAuthEntry(entry);
  const same =
    current !== null &&
    current.username === wanted.username &&
    wanted.secretMatches(current.secret) &&
    entry.email === wanted.email &&
    entry.identitytoken === undefined &&
    isKeyDockerResolves(key, wanted.registry);
  return same ? 'unchanged' : 'changed';
}

/** A login behind a credential helper: the same only if the helper holds it and config.json marks it. */
export async function classifyHelperLogin(
  config: LoadedConfig,
  wanted: WantedLogin,
  helper: string,
  readHelper: ReadHelper,
): Promise<DockerConfigResult<HeldStatus>> {
  const held = await readHelper(helper, wanted.registry);
  if (!held.ok) return held;
  const fileKey = findAuthKey(config.auths, wanted.registry);
  const placeholderInPlace = isPlaceholder(getOwn(config.auths, wanted.registry));
  const same =
    held.value !== null && held.value.username === wanted.username && wanted.secretMatches(held.value.secret);
  if (same && placeholderInPlace) return success('unchanged');
  return success(held.value !== null || fileKey !== undefined ? 'changed' : 'added');
}
