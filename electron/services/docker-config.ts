/**
 * Docker's config.json, written the way `docker login` writes it and never damaged:
 * read, plan, apply, import. Plain Node (no `electron` import) so tools and tests use it
 * directly; the pieces live in ./docker-config/.
 */
import { join } from 'node:path';
import { CONFIG_FILE_NAME, loadConfig, resolveConfigDir, toView } from './docker-config/config-file';
import type { DockerConfigOptions, DockerConfigResult, DockerConfigView } from './docker-config/types';

export { applyDockerConfig } from './docker-config/apply';
export type { ApplyOptions } from './docker-config/apply';
export { planDockerConfig, WINCRED_MAX_SECRET_BYTES } from './docker-config/plan';
export type { PlanOptions } from './docker-config/plan';
export { importDockerConfig, importDockerConfigDetailed } from './docker-config/import';
export type { ImportOutcome } from './docker-config/import';
export { DOCKER_HUB_KEY } from '../../shared/registry/registry-key';
export { resolveConfigDir, decodeAuthEntry, encodeAuth } from './docker-config/config-file';
export { listBackups } from './docker-config/backup';
export { WRITTEN_RECORD_NAME } from './docker-config/written-record';
export type {
  ApplyReport,
  CredentialStore,
  DockerConfigEntry,
  DockerConfigError,
  DockerConfigErrorCode,
  DockerConfigOptions,
  DockerConfigPlan,
  DockerConfigResult,
  DockerConfigView,
  DockerCredential,
  ImportedCredential,
  PlanItem,
  PlannedWrite,
  PlanWarning,
  RemovalItem,
  SkippedImport,
} from './docker-config/types';

/** Path of config.json for these options: `configDir`, else `$DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigFilePath(options: DockerConfigOptions = {}): string {
  return join(resolveConfigDir(options), CONFIG_FILE_NAME);
}

/** Reads config.json; a missing file is an empty config, a malformed one a `config-malformed` error. */
export async function readDockerConfig(
  options: DockerConfigOptions = {},
): Promise<DockerConfigResult<DockerConfigView>> {
  const loaded = await loadConfig(dockerConfigFilePath(options));
  return loaded.ok ? { ok: true, value: toView(loaded.value) } : loaded;
}
