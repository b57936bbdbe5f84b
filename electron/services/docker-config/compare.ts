// The comparison behind the "In Docker config" badges. The renderer sends, per entry, a keyed digest
// (HMAC-SHA-256 under a key it chose for its session) instead of the secret, so drawing badges moves
// no secret into main. Credential helpers run only when config.json changed since their last answer
// or the user asked for a refresh; and nothing here creates a plan, so the one under review stays.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toRegistryKey } from '../../../shared/registry/registry-key';
import { classifyFileLogin, classifyHelperLogin, type HeldStatus, type ReadHelper } from './classify';
import { CONFIG_FILE_NAME, findAuthKey, getOwn, loadConfig, resolveConfigDir, routeStore } from './config-file';
import type { LoadedConfig } from './config-file';
import { getHelperCredential, type HelperCredential } from './credential-helper';
import { REGVAULT_HELPER } from './helper-routes';
import type { DockerConfigOptions, DockerConfigResult } from './types';
import { readWrittenRecord, type WrittenRecord } from './written-record';
import { success } from './types';

/** One entry to compare: its login without the secret, and HMAC-SHA-256(key, secret). */
export type CompareItem = Readonly<{
  id: string;
  registry: string;
  username: string;
  email?: string;
  digest: Buffer;
  /** When the entry's secret was set: a login Regvault wrote before that holds an older secret. */
  secretUpdatedAt?: number;
}>;

/**
 * How an entry stands in Docker's config: the same login, another one, an older secret Regvault wrote
 * before the entry's secret changed, none, the helper failed, or Docker asks Regvault itself (credHelpers).
 */
export type CompareState = 'same' | 'differs' | 'older' | 'absent' | 'unreadable' | 'regvault';

/** One answer per compared entry. */
export type CompareAnswer = Readonly<{ id: string; state: CompareState }>;

const stateOf: Readonly<Record<HeldStatus, CompareState>> = { unchanged: 'same', changed: 'differs', added: 'absent' };

/** Whether `secret` is the one behind `digest` under `key` (constant time). */
export function secretMatchesDigest(key: Buffer, digest: Buffer, secret: string): boolean {
  const mine = createHmac('sha256', key).update(secret, 'utf8').digest();
  return mine.length === digest.length && timingSafeEqual(mine, digest);
}

/** Creates a comparer over one config dir; it remembers helper answers for the file version they came from. */
export function createDockerComparer(options: DockerConfigOptions) {
  let helperAnswers = new Map<string, Promise<DockerConfigResult<HelperCredential | null>>>();
  let answersFor: string | undefined;

  const readHelper: ReadHelper = (helper, registry) => {
    const id = `${helper}\0${registry}`;
    let answer = helperAnswers.get(id);
    if (answer === undefined) {
      answer = getHelperCredential(helper, registry, options);
      helperAnswers.set(id, answer);
    }
    return answer;
  };

  async function compareOne(
    config: LoadedConfig,
    item: CompareItem,
    key: Buffer,
    record: WrittenRecord,
  ): Promise<CompareState> {
    const state = await compareLogin(config, item, key);
    return state === 'differs' && isOlder(item, record) ? 'older' : state;
  }

  async function compareLogin(config: LoadedConfig, item: CompareItem, key: Buffer): Promise<CompareState> {
    const read = toRegistryKey(item.registry);
    if (!read.ok) return 'absent';
    const wanted = {
      registry: read.key,
      username: item.username,
      ...(item.email !== undefined && item.email !== '' ? { email: item.email } : {}),
      secretMatches: (secret: string) => secretMatchesDigest(key, item.digest, secret),
    };
    const store = routeStore(config, read.key);
    if (store.kind === 'file') return stateOf[classifyFileLogin(config, wanted)];
    // Docker asks docker-credential-regvault, which serves the entry itself: nothing to compare.
    if (store.helper === REGVAULT_HELPER) return 'regvault';
    // A credsStore serves every registry: asked only for those config.json lists (docker login leaves an
    // empty placeholder there), or a vault of 10,000 entries would start 10,000 helper processes.
    const listed = findAuthKey(config.auths, read.key) !== undefined;
    if (!listed && getOwn(config.credHelpers, read.key) === undefined) return 'absent';
    const classified = await classifyHelperLogin(config, wanted, store.helper, readHelper);
    return classified.ok ? stateOf[classified.value] : 'unreadable';
  }

  return {
    /** Compares each item with config.json; `refresh` asks the helpers again even if the file is unchanged. */
    async compare(
      items: readonly CompareItem[],
      key: Buffer,
      refresh: boolean,
    ): Promise<DockerConfigResult<CompareAnswer[]>> {
      const path = join(resolveConfigDir(options), CONFIG_FILE_NAME);
      const loaded = await loadConfig(path);
      if (!loaded.ok) return loaded;
      // docker login rewrites the file even when its text stays the same: the write time counts too.
      const version = `${loaded.value.digest ?? 'none'}@${await stat(path).then(
        (s) => s.mtimeMs,
        () => 0,
      )}`;
      if (refresh || version !== answersFor) {
        helperAnswers = new Map();
        answersFor = version;
      }
      const { record } = await readWrittenRecord(resolveConfigDir(options));
      const answers: CompareAnswer[] = [];
      for (const item of items) answers.push({ id: item.id, state: await compareOne(loaded.value, item, key, record) });
      return success(answers);
    },
  };
}

/** Regvault wrote this registry's login with the same username before the entry's secret last changed. */
function isOlder(item: CompareItem, record: WrittenRecord): boolean {
  const read = toRegistryKey(item.registry);
  if (!read.ok || item.secretUpdatedAt === undefined) return false;
  const written = Object.hasOwn(record.entries, read.key) ? record.entries[read.key] : undefined;
  if (written === undefined || written.username !== item.username) return false;
  const writtenAt = Date.parse(written.writtenAt);
  return Number.isFinite(writtenAt) && writtenAt < item.secretUpdatedAt;
}
