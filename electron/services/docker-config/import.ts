import { join } from 'node:path';
import {
  CONFIG_FILE_NAME,
  decodeAuthEntry,
  fileKeyRegistry,
  getOwn,
  listEntries,
  loadConfig,
  resolveConfigDir,
} from './config-file';
import type { LoadedConfig } from './config-file';
import { getHelperCredential } from './credential-helper';

import { success } from './types';
import type {
  DockerConfigEntry,
  DockerConfigOptions,
  DockerConfigResult,
  ImportedCredential,
  SkippedImport,
} from './types';

/** What an import found: the credentials, and the registries it had to leave out with the reason. */
export type ImportOutcome = Readonly<{ entries: readonly ImportedCredential[]; skipped: readonly SkippedImport[] }>;

// Helpers report an OAuth identity token under this username; it is not a password Regvault can reuse.
const IDENTITY_TOKEN_USERNAME = '<token>';
const tokenReason =
  'holds an identity token from a browser sign-in, not a password; create an access token and add it by hand';

type Found = Readonly<{ credential?: ImportedCredential; reason?: string }>;

function importFromFile(config: LoadedConfig, entry: DockerConfigEntry): Found {
  const stored = getOwn(config.auths, entry.key) ?? {};
  if (stored.identitytoken !== undefined) return { reason: tokenReason };
  const decoded = decodeAuthEntry(stored);
  if (decoded === null) return { reason: 'has no readable username and password in config.json' };
  const email = entry.email !== undefined ? { email: entry.email } : {};
  return { credential: { registry: entry.registry, username: decoded.username, secret: decoded.secret, ...email } };
}

async function importFromHelper(
  helper: string,
  registry: string,
  serverUrls: readonly string[],
  options: DockerConfigOptions,
): Promise<Found> {
  for (const serverUrl of serverUrls) {
    const held = await getHelperCredential(helper, serverUrl, options);
    if (!held.ok) return { reason: held.error.message };
    if (held.value === null) continue;
    if (held.value.username === IDENTITY_TOKEN_USERNAME) return { reason: tokenReason };
    return { credential: { registry, username: held.value.username, secret: held.value.secret } };
  }
  return {
    reason: `is listed in config.json but docker-credential-${helper} holds no credential for it; log in again`,
  };
}

/**
 * Reads every credential Docker has: `auths` entries (decoded, or fetched through their
 * helper) and `credHelpers` hosts. A helper's `list` is deliberately not used: stores
 * such as Docker Desktop's also hold its own sign-in tokens, which are not registry logins.
 */
export async function importDockerConfigDetailed(
  options: DockerConfigOptions = {},
): Promise<DockerConfigResult<ImportOutcome>> {
  const loaded = await loadConfig(join(resolveConfigDir(options), CONFIG_FILE_NAME));
  if (!loaded.ok) return loaded;
  const config = loaded.value;
  const entries: ImportedCredential[] = [];
  const skipped: SkippedImport[] = [];
  const keep = (registry: string, key: string, found: Found) => {
    if (found.credential) entries.push(found.credential);
    else skipped.push({ registry, key, reason: `${registry} ${found.reason ?? 'could not be read'}` });
  };
  const listed = listEntries(config);
  for (const entry of listed) {
    const serverUrls = entry.key === entry.registry ? [entry.registry] : [entry.registry, entry.key];
    const found =
      entry.store.kind === 'file'
        ? importFromFile(config, entry)
        : await importFromHelper(entry.store.helper, entry.registry, serverUrls, options);
    keep(entry.registry, entry.key, found);
  }
  const covered = new Set(listed.map((entry) => entry.registry));
  for (const [key, helper] of Object.entries(config.credHelpers)) {
    const registry = fileKeyRegistry(key);
    if (covered.has(registry)) continue;
    covered.add(registry);
    keep(registry, key, await importFromHelper(helper, registry, [key], options));
  }
  return success({ entries, skipped });
}

/** The credentials Docker holds, ready to add to a vault; see importDockerConfigDetailed for what was left out. */
export async function importDockerConfig(
  options: DockerConfigOptions = {},
): Promise<DockerConfigResult<readonly ImportedCredential[]>> {
  const outcome = await importDockerConfigDetailed(options);
  return outcome.ok ? success(outcome.value.entries) : outcome;
}
