import { join } from 'node:path';
import { classifyFileLogin, classifyHelperLogin, type HeldStatus } from './classify';
import { CONFIG_FILE_NAME, decodeAuthEntry, getOwn, loadConfig, resolveConfigDir, routeStore } from './config-file';
import type { LoadedConfig } from './config-file';
import { getHelperCredential } from './credential-helper';
import { toRegistryKey } from '../../../shared/registry/registry-key';
import { failure, success } from './types';
import type {
  CredentialStore,
  DockerConfigOptions,
  DockerConfigPlan,
  DockerConfigResult,
  DockerCredential,
  PlannedWrite,
  PlanItem,
  PlanWarning,
  RemovalItem,
} from './types';
import { planHelperRoutes, REGVAULT_HELPER } from './helper-routes';
import { readWrittenRecord } from './written-record';
import type { WrittenEntry } from './written-record';

/** Windows Credential Manager's limit (CRED_MAX_CREDENTIAL_BLOB_SIZE). */
export const WINCRED_MAX_SECRET_BYTES = 2560;

/** Options of planDockerConfig: registries Regvault wrote earlier and should now remove. */
export type PlanOptions = DockerConfigOptions &
  Readonly<{ remove?: readonly string[]; useHelper?: readonly string[]; stopHelper?: readonly string[] }>;

/** Canonical keys for the requested credentials; rejects what Docker could not store faithfully. */
export function validateCredentials(credentials: readonly DockerCredential[]): DockerConfigResult<PlannedWrite[]> {
  const seen = new Set<string>();
  const valid: PlannedWrite[] = [];
  for (const credential of credentials) {
    const read = toRegistryKey(credential.registry);
    const registry = read.ok ? read.key : null;
    if (registry === null) {
      return failure(
        'invalid-entry',
        `"${credential.registry}" is not a registry address; use a host name such as ghcr.io or registry.example.com:5000.`,
      );
    }
    if (seen.has(registry))
      return failure('invalid-entry', `${registry} is listed twice; pick one credential per registry.`);
    if (credential.username.length === 0 || credential.secret.length === 0) {
      return failure('invalid-entry', `The credential for ${registry} needs both a username and a secret.`);
    }
    if (credential.username.includes(':')) {
      // Docker splits `auth` at the first colon, so such a username could never be read back.
      return failure(
        'invalid-entry',
        `The username for ${registry} contains ":", which Docker cannot store; check the username.`,
      );
    }
    seen.add(registry);
    valid.push({
      registry,
      username: credential.username,
      secret: credential.secret,
      store: { kind: 'file' },
      ...(credential.email ? { email: credential.email } : {}),
    });
  }
  return success(valid);
}

async function planRemoval(
  config: LoadedConfig,
  registry: string,
  written: WrittenEntry | undefined,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<RemovalItem | PlanWarning>> {
  if (written === undefined) {
    return success({
      code: 'not-written-by-regvault',
      registry,
      message: `${registry} was not written by Regvault, so it stays in config.json; run docker logout ${registry} to remove it.`,
    });
  }
  const entry = getOwn(config.auths, registry);
  let username: string | undefined;
  let present = entry !== undefined;
  if (written.store.kind === 'file') {
    username = entry === undefined ? undefined : decodeAuthEntry(entry)?.username;
  } else {
    const held = await getHelperCredential(written.store.helper, registry, options);
    if (!held.ok) return held;
    username = held.value?.username;
    present = present || held.value !== null;
  }
  if (!present)
    return success({
      code: 'already-removed',
      registry,
      message: `${registry} is no longer in Docker's config; nothing to remove.`,
    });
  if (username !== undefined && username !== written.username) {
    return success({
      code: 'changed-since-written',
      registry,
      message: `${registry} now holds another login (${username}), so Regvault leaves it; run docker logout ${registry} to remove it.`,
    });
  }
  return success({ registry, store: written.store });
}

function secretWarnings(writes: readonly PlannedWrite[], path: string, platform: NodeJS.Platform): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const write of writes) {
    // Docker Desktop's "desktop" helper hands secrets to Credential Manager on Windows too.
    const wincred =
      write.store.kind === 'helper' &&
      (write.store.helper === 'wincred' || (write.store.helper === 'desktop' && platform === 'win32'));
    const bytes = Buffer.byteLength(write.secret, 'utf8');
    if (wincred && bytes > WINCRED_MAX_SECRET_BYTES) {
      const message = `The secret for ${write.registry} is ${bytes} bytes; Windows Credential Manager stores at most ${WINCRED_MAX_SECRET_BYTES}, so docker login with it will fail. Use a shorter token, or a credHelpers entry for ${write.registry} pointing to another helper.`;
      warnings.push({ code: 'wincred-secret-too-long', registry: write.registry, message });
    }
  }
  if (writes.some((write) => write.store.kind === 'file')) {
    const message = `Credentials will be stored unencrypted (base64) in ${path}. Configure a credential helper (credsStore) to keep them in the system keychain.`;
    warnings.push({ code: 'stored-unencrypted', message });
  }
  return warnings;
}

type Sorted = { added: PlanItem[]; changed: PlanItem[]; unchanged: PlanItem[]; writes: PlannedWrite[] };

async function sortWrites(
  config: LoadedConfig,
  requested: readonly PlannedWrite[],
  options: DockerConfigOptions,
): Promise<DockerConfigResult<Sorted>> {
  const sorted: Sorted = { added: [], changed: [], unchanged: [], writes: [] };
  for (const request of requested) {
    const store: CredentialStore = routeStore(config, request.registry);
    const write: PlannedWrite = { ...request, store };
    if (store.kind === 'helper' && store.helper === REGVAULT_HELPER) {
      // Docker asks Regvault itself for this registry: there is nothing to write.
      sorted.unchanged.push({ registry: write.registry, username: write.username, store });
      continue;
    }
    const wanted = { ...write, secretMatches: (secret: string) => secret === write.secret };
    let status: HeldStatus;
    if (store.kind === 'file') {
      status = classifyFileLogin(config, wanted);
    } else {
      const readHelper = (helper: string, registry: string) => getHelperCredential(helper, registry, options);
      const classified = await classifyHelperLogin(config, wanted, store.helper, readHelper);
      if (!classified.ok) return classified;
      status = classified.value;
    }
    sorted[status].push({ registry: write.registry, username: write.username, store });
    if (status !== 'unchanged') sorted.writes.push(write);
  }
  return success(sorted);
}

/** Works out what writing these credentials (and removing `remove`) would change, without changing anything. */
export async function planDockerConfig(
  credentials: readonly DockerCredential[],
  options: PlanOptions = {},
): Promise<DockerConfigResult<DockerConfigPlan>> {
  const requested = validateCredentials(credentials);
  if (!requested.ok) return requested;
  const configDir = resolveConfigDir(options);
  const path = join(configDir, CONFIG_FILE_NAME);
  const loaded = await loadConfig(path);
  if (!loaded.ok) return loaded;
  const routing = planHelperRoutes(loaded.value, options.useHelper ?? [], options.stopHelper ?? []);
  if (!routing.ok) return routing;
  const sorted = await sortWrites(routing.value.routed, requested.value, options);
  if (!sorted.ok) return sorted;
  const { record, readable } = await readWrittenRecord(configDir);
  const warnings: PlanWarning[] = readable
    ? []
    : [
        {
          code: 'written-record-unreadable',
          message: `Regvault's record of what it wrote (${configDir}/.regvault-written.json) is unreadable, so nothing will be removed; remove entries with docker logout.`,
        },
      ];
  const removed: RemovalItem[] = [...routing.value.removals];
  const requestedKeys = new Set(requested.value.map((write) => write.registry));
  for (const input of options.remove ?? []) {
    const read = toRegistryKey(input);
    const registry = read.ok ? read.key : null;
    if (registry === null)
      return failure('invalid-entry', `"${input}" is not a registry address, so it cannot be removed.`);
    if (requestedKeys.has(registry))
      return failure('invalid-entry', `${registry} is both written and removed in the same plan; choose one.`);
    const outcome = await planRemoval(loaded.value, registry, getOwn(record.entries, registry), options);
    if (!outcome.ok) return outcome;
    if ('code' in outcome.value) warnings.push(outcome.value);
    else removed.push(outcome.value);
  }
  warnings.push(...secretWarnings(sorted.value.writes, path, options.platform ?? process.platform));
  const { added, changed, unchanged, writes } = sorted.value;
  return success({
    path,
    configDir,
    added,
    changed,
    unchanged,
    removed,
    warnings,
    baseDigest: loaded.value.digest,
    writes,
    routes: routing.value.routes,
  });
}
