import { basename, dirname, resolve } from 'node:path';
import { removeStaleTempFiles, resolveWriteTarget, writeFileAtomic } from './atomic-write';
import { writeBackup } from './backup';
import { encodeAuth, getOwn, isPlaceholder, loadConfig, serializeConfig } from './config-file';
import type { LoadedConfig } from './config-file';
import { eraseHelperCredential, storeHelperCredential } from './credential-helper';
import { failure, success } from './types';
import type { ApplyReport, DockerConfigOptions, DockerConfigPlan, DockerConfigResult } from './types';
import { applyRoutes } from './helper-routes';
import { readWrittenRecord, updateWrittenRecord } from './written-record';
import type { WrittenEntry } from './written-record';

/** Options of applyDockerConfig; `now` and `keepBackups` exist for tests and tuning. */
export type ApplyOptions = DockerConfigOptions & Readonly<{ now?: () => Date; keepBackups?: number }>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The new config object: the old one deep-copied with only the planned `auths` keys touched, key order kept. */
export function buildNextConfig(config: LoadedConfig, plan: DockerConfigPlan): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(config.raw)) as Record<string, unknown>;
  const hadAuths = Object.hasOwn(raw, 'auths') && isObject(raw['auths']);
  const auths: Record<string, unknown> = hadAuths ? (raw['auths'] as Record<string, unknown>) : {};
  for (const write of plan.writes) {
    if (write.store.kind === 'file') {
      auths[write.registry] = {
        auth: encodeAuth(write.username, write.secret),
        ...(write.email !== undefined ? { email: write.email } : {}),
      };
    } else if (!isPlaceholder(getOwn(config.auths, write.registry))) {
      // As docker login: the secret lives in the helper; the file only marks the registry.
      auths[write.registry] = {};
    }
  }
  const removed = new Set(plan.removed.map((removal) => removal.registry));
  const nextAuths = Object.fromEntries(Object.entries(auths).filter(([key]) => !removed.has(key)));
  if (plan.routes !== undefined && plan.routes.length > 0) {
    const current = isObject(raw['credHelpers']) ? raw['credHelpers'] : undefined;
    raw['credHelpers'] = applyRoutes(current, plan.routes);
  }
  if (hadAuths) {
    raw['auths'] = nextAuths; // an existing key keeps its place in the file
    return raw;
  }
  return Object.keys(nextAuths).length === 0 ? raw : { auths: nextAuths, ...raw }; // Docker writes `auths` first
}

async function runHelperOperations(
  plan: DockerConfigPlan,
  options: DockerConfigOptions,
): Promise<DockerConfigResult<void>> {
  const done: string[] = [];
  const note = () => (done.length > 0 ? ` Already done in the helper: ${done.join(', ')}.` : '');
  for (const write of plan.writes) {
    if (write.store.kind !== 'helper') continue;
    const stored = await storeHelperCredential(write.store.helper, write.registry, write, options);
    if (!stored.ok) return failure(stored.error.code, `${stored.error.message} config.json was not changed.${note()}`);
    done.push(`stored ${write.registry}`);
  }
  for (const removal of plan.removed) {
    if (removal.store.kind !== 'helper') continue;
    const erased = await eraseHelperCredential(removal.store.helper, removal.registry, options);
    if (!erased.ok) return failure(erased.error.code, `${erased.error.message} config.json was not changed.${note()}`);
    done.push(`erased ${removal.registry}`);
  }
  return success(undefined);
}

async function replaceConfigFile(
  plan: DockerConfigPlan,
  previous: string | null,
  text: string,
  options: ApplyOptions,
  now: Date,
): Promise<string | undefined> {
  const target = await resolveWriteTarget(plan.path);
  for (const dir of new Set([plan.configDir, dirname(target)])) await removeStaleTempFiles(dir, now.getTime());
  const backupPath =
    previous === null
      ? undefined
      : await writeBackup(plan.configDir, basename(plan.path), previous, now, options.keepBackups);
  await writeFileAtomic(target, text);
  return backupPath;
}

async function recordWrites(plan: DockerConfigPlan, now: Date): Promise<void> {
  const { record } = await readWrittenRecord(plan.configDir);
  const written: Record<string, WrittenEntry> = {};
  for (const write of plan.writes)
    written[write.registry] = { store: write.store, username: write.username, writtenAt: now.toISOString() };
  await updateWrittenRecord(
    plan.configDir,
    record,
    written,
    plan.removed.map((removal) => removal.registry),
  );
}

/**
 * Carries out a plan: helper stores and erases first (a failure there leaves the file
 * alone), then one atomic replacement of config.json after a backup, then the record of
 * what Regvault wrote. Refuses if the file changed since the plan; writes nothing when
 * the plan changes nothing.
 */
export async function applyDockerConfig(
  plan: DockerConfigPlan,
  options: ApplyOptions = {},
): Promise<DockerConfigResult<ApplyReport>> {
  if (options.configDir !== undefined && resolve(options.configDir) !== resolve(plan.configDir)) {
    return failure(
      'config-changed',
      `This plan was made for ${plan.configDir}, not ${options.configDir}; make a new plan for that directory.`,
    );
  }
  const loaded = await loadConfig(plan.path);
  if (!loaded.ok) return loaded;
  if (loaded.value.digest !== plan.baseDigest) {
    return failure(
      'config-changed',
      `${plan.path} changed since the plan was made (another program wrote it). Review the new plan and apply again.`,
    );
  }
  const report = {
    path: plan.path,
    written: plan.writes.map(({ registry, store }) => ({ registry, store })),
    removed: plan.removed,
  };
  if (plan.writes.length === 0 && plan.removed.length === 0 && (plan.routes?.length ?? 0) === 0) return success(report);
  const helpers = await runHelperOperations(plan, options);
  if (!helpers.ok) return helpers;
  const text = serializeConfig(buildNextConfig(loaded.value, plan), loaded.value.text);
  const now = (options.now ?? (() => new Date()))();
  try {
    const backupPath =
      text === loaded.value.text ? undefined : await replaceConfigFile(plan, loaded.value.text, text, options, now);
    await recordWrites(plan, now);
    return success({ ...report, ...(backupPath !== undefined ? { backupPath } : {}) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return failure(
      'io',
      `Could not write ${plan.path} (${code}). Check that the folder is writable; the previous file is unchanged or backed up next to it.`,
    );
  }
}
