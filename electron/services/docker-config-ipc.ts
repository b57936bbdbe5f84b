/**
 * The docker-config channels: glue between the IPC contract and the docker-config service.
 * A plan holds secrets (`plan.writes`) and the file's raw content, so it never crosses to the
 * renderer: main keeps it under a random id for a few minutes and the renderer sees a summary
 * built field by field (and the dispatcher strips anything the contract's response schema does
 * not declare, as a second line of defence).
 */
import { randomBytes } from 'node:crypto';
import type { RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { fail, ok, type Result } from '../../shared/result';
import type { ServiceContext } from './context';
import {
  applyDockerConfig,
  dockerConfigFilePath,
  importDockerConfigDetailed,
  planDockerConfig,
  readDockerConfig,
  resolveConfigDir,
} from './docker-config';
import type {
  CredentialStore,
  DockerConfigOptions,
  DockerConfigPlan,
  DockerConfigResult,
  PlanItem,
  RemovalItem,
} from './docker-config';
import { createDockerComparer } from './docker-config/compare';
import { readWrittenRecord } from './docker-config/written-record';
import { exportImagePullSecret } from './kube-secret';

/** How long a reviewed plan can still be applied. */
export const PLAN_TTL_MS = 10 * 60_000;
/** How many plans main keeps at once; the oldest goes first. */
export const MAX_CACHED_PLANS = 16;

/** Clock, id source and cache limits; tests pass their own. */
export type DockerConfigIpcOptions = Readonly<{
  now?: () => number;
  newId?: () => string;
  ttlMs?: number;
  maxPlans?: number;
}>;

/** The message for an unknown, expired or already applied plan id. */
const PLAN_EXPIRED_MESSAGE =
  'This review is no longer valid (it expired or was already applied). Click "Review changes" again, check the plan, then apply it.';

type Cached = Readonly<{ plan: DockerConfigPlan; expiresAt: number }>;

function copyStore(store: CredentialStore): CredentialStore {
  return store.kind === 'file' ? { kind: 'file' } : { kind: 'helper', helper: store.helper };
}

function copyItem({ registry, username, store }: PlanItem): PlanItem {
  return { registry, username, store: copyStore(store) };
}

function copyRemoval({ registry, store }: RemovalItem): RemovalItem {
  return { registry, store: copyStore(store) };
}

function fromService<T, U>(result: DockerConfigResult<T>, map: (value: T) => U): Result<U> {
  return result.ok ? ok(map(result.value)) : fail(result.error.code, result.error.message);
}

/** Reviewed plans by id, dropped after `ttlMs` or when used. */
function createPlanCache(options: DockerConfigIpcOptions) {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => randomBytes(16).toString('hex'));
  const ttlMs = options.ttlMs ?? PLAN_TTL_MS;
  const maxPlans = options.maxPlans ?? MAX_CACHED_PLANS;
  const plans = new Map<string, Cached>();
  const prune = () => {
    for (const [id, cached] of plans) if (cached.expiresAt <= now()) plans.delete(id);
    while (plans.size >= maxPlans) plans.delete(plans.keys().next().value as string);
  };
  return {
    put(plan: DockerConfigPlan): string {
      prune();
      const id = newId();
      plans.set(id, { plan, expiresAt: now() + ttlMs });
      return id;
    },
    /** Removes and returns a live plan: a plan is applied at most once. */
    take(id: string): DockerConfigPlan | undefined {
      const cached = plans.get(id);
      plans.delete(id);
      return cached !== undefined && cached.expiresAt > now() ? cached.plan : undefined;
    },
    get size(): number {
      return plans.size;
    },
  };
}

/** The handlers of the `docker:*` channels for one service context. */
export function createDockerConfigIpc(context: ServiceContext, options: DockerConfigIpcOptions = {}) {
  const docker: DockerConfigOptions = { env: context.env, home: context.home, platform: context.platform };
  const plans = createPlanCache(options);
  // Separate from the plans: comparing never creates an appliable plan nor evicts the one under review.
  const comparer = createDockerComparer(docker);
  // Applies run one at a time, so two plans can never interleave their writes to one file.
  let applying: Promise<unknown> = Promise.resolve();

  async function read(): Promise<Result<ResponseOf<'docker:read'>>> {
    const view = await readDockerConfig(docker);
    if (!view.ok) return fail(view.error.code, view.error.message);
    const { record } = await readWrittenRecord(resolveConfigDir(docker));
    const entries = view.value.entries.map(({ registry, key, username, store }) => {
      const written = Object.hasOwn(record.entries, registry) ? record.entries[registry] : undefined;
      // Someone who logged in again with another user since then owns the entry now.
      const writtenByRegvault = written !== undefined && (username === undefined || username === written.username);
      return {
        registry,
        key,
        ...(username !== undefined ? { username } : {}),
        store: copyStore(store),
        writtenByRegvault,
      };
    });
    const { path, exists, credsStore, credHelpers } = view.value;
    return ok({
      path,
      exists,
      entries,
      ...(credsStore !== undefined ? { credsStore } : {}),
      credHelpers: { ...credHelpers },
    });
  }

  async function plan(input: RequestOf<'docker:plan'>): Promise<Result<ResponseOf<'docker:plan'>>> {
    const planned = await planDockerConfig(input.entries, {
      ...docker,
      remove: input.remove,
      ...(input.useHelper !== undefined ? { useHelper: input.useHelper } : {}),
      ...(input.stopHelper !== undefined ? { stopHelper: input.stopHelper } : {}),
    });
    return fromService(planned, (value) => ({
      planId: plans.put(value),
      path: value.path,
      added: value.added.map(copyItem),
      changed: value.changed.map(copyItem),
      unchanged: value.unchanged.map(copyItem),
      removed: value.removed.map(copyRemoval),
      warnings: value.warnings.map(({ code, registry, message }) => ({
        code,
        ...(registry !== undefined ? { registry } : {}),
        message,
      })),
      ...(value.routes !== undefined && value.routes.length > 0
        ? { routes: value.routes.map(({ registry, helper }) => ({ registry, helper })) }
        : {}),
    }));
  }

  async function compare(input: RequestOf<'docker:compare'>): Promise<Result<ResponseOf<'docker:compare'>>> {
    const items = input.entries.map(({ digest, ...login }) => ({ ...login, digest: Buffer.from(digest, 'base64') }));
    const compared = await comparer.compare(items, Buffer.from(input.key, 'base64'), input.refresh);
    return fromService(compared, (entries) => ({ entries: entries.map(({ id, state }) => ({ id, state })) }));
  }

  async function apply({ planId }: RequestOf<'docker:apply'>): Promise<Result<ResponseOf<'docker:apply'>>> {
    const reviewed = plans.take(planId);
    if (reviewed === undefined) return fail('plan-expired', PLAN_EXPIRED_MESSAGE);
    const run = applying.then(() => applyDockerConfig(reviewed, docker));
    applying = run.catch(() => undefined);
    return fromService(await run, (report) => ({
      path: report.path,
      ...(report.backupPath !== undefined ? { backupPath: report.backupPath } : {}),
      written: report.written.map(copyRemoval),
      removed: report.removed.map(copyRemoval),
    }));
  }

  async function importLogins(): Promise<Result<ResponseOf<'docker:import'>>> {
    const outcome = await importDockerConfigDetailed(docker);
    return fromService(outcome, (value) => ({
      path: dockerConfigFilePath(docker),
      entries: value.entries.map(({ registry, username, secret, email }) => ({
        registry,
        username,
        secret,
        ...(email !== undefined ? { email } : {}),
      })),
      skipped: value.skipped.map(({ registry, key, reason }) => ({ registry, key, reason })),
    }));
  }

  function kubeSecret(input: RequestOf<'docker:kube-secret'>): Result<ResponseOf<'docker:kube-secret'>> {
    const options = { name: input.name, ...(input.namespace !== undefined ? { namespace: input.namespace } : {}) };
    return fromService(exportImagePullSecret(input.entries, options), (yaml) => ({ yaml }));
  }

  return { read, plan, compare, apply, importLogins, kubeSecret, cachedPlans: () => plans.size };
}
