import { z } from 'zod';
import { ACCESS_VERDICTS } from '../registry/access-verdict';
import { LOGIN_CHECK_CODES } from '../registry/login-check-codes';
import { TOKEN_EXPIRY_SOURCES } from '../registry/token-expiry';
import type { Result } from '../result';
import { argvSchema } from '../refresh/refresh-command';

/** Declares one request/response channel: the schemas both processes validate against. */
function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response } as const;
}

const noInput = z.undefined();

/** What main tells the renderer about itself and the machine (`app:info`). */
export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.enum(['darwin', 'win32', 'linux', 'other']),
  dockerConfigPath: z.string(),
});

/** A secret to put on the clipboard; main clears it after 30 s if it is still there. */
export const copySecretSchema = z.object({ text: z.string().min(1).max(65_536) }).strict();

/** Credentials to try against a registry's /v2/ endpoint (DESIGN.md §6). */
export const checkLoginSchema = z
  .object({
    registry: z.string().min(1).max(1024),
    username: z.string().max(1024),
    secret: z.string().max(65_536),
    insecure: z.boolean().optional(),
    caCertificate: z.string().max(65_536).optional(),
  })
  .strict();

/** An expiry read from the credential itself (JWT, ECR token) or the registry's answer (GitHub). */
export const tokenExpirySchema = z.object({ at: z.number(), from: z.enum(TOKEN_EXPIRY_SOURCES) });

/** The verdict of a login check: a code from docs/login-check.md, what happened, and what to do. */
export const loginCheckResultSchema = z.object({
  ok: z.boolean(),
  code: z.enum(LOGIN_CHECK_CODES),
  status: z.number().optional(),
  message: z.string(),
  hint: z.string(),
  durationMs: z.number(),
  expiry: tokenExpirySchema.optional(),
});

/** "Test access": a login check's input and the repository ("team/api", "team/api:v1"). */
export const checkAccessSchema = checkLoginSchema.extend({ repository: z.string().min(1).max(512) }).strict();

/** What "Test access" found: the verdict with its sentence, the rights, and what to do. */
export const accessCheckResultSchema = z.object({
  ok: z.boolean(),
  verdict: z.enum(ACCESS_VERDICTS),
  code: z.enum(LOGIN_CHECK_CODES),
  status: z.number().optional(),
  method: z.enum(['token-claims', 'probe']).optional(),
  repository: z.string(),
  tag: z.string().optional(),
  pull: z.boolean().nullable(),
  push: z.boolean().nullable(),
  exists: z.boolean().nullable(),
  tagFound: z.boolean().optional(),
  sentence: z.string(),
  message: z.string(),
  hint: z.string(),
  durationMs: z.number(),
  expiry: tokenExpirySchema.optional(),
});

/** Where Docker keeps one registry's secret: in config.json, or behind `docker-credential-<helper>`. */
export const credentialStoreSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file') }),
  z.object({ kind: z.literal('helper'), helper: z.string() }),
]);

/** One registry in config.json as `docker:read` reports it: never a secret. */
export const dockerConfigEntrySchema = z.object({
  registry: z.string(),
  key: z.string(),
  username: z.string().optional(),
  store: credentialStoreSchema,
  writtenByRegvault: z.boolean(),
});

/** What `docker:read` answers: where config.json is and which registries it holds. */
export const dockerConfigViewSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  entries: z.array(dockerConfigEntrySchema),
  credsStore: z.string().optional(),
  credHelpers: z.record(z.string(), z.string()),
});

/** A credential sent to main for docker config or a Kubernetes secret. */
export const dockerCredentialSchema = z
  .object({
    registry: z.string().min(1).max(1024),
    username: z.string().max(1024),
    secret: z.string().max(65_536),
    email: z.string().max(320).optional(),
  })
  .strict();

/** `docker:plan` input: the credentials to write and the registries (written by Regvault) to remove. */
export const dockerPlanRequestSchema = z
  .object({
    entries: z.array(dockerCredentialSchema).max(10_000),
    remove: z.array(z.string().min(1).max(1024)).max(10_000),
    /** Registries to route to docker-credential-regvault (`credHelpers`), and to route back. */
    useHelper: z.array(z.string().min(1).max(1024)).max(10_000).optional(),
    stopHelper: z.array(z.string().min(1).max(1024)).max(10_000).optional(),
  })
  .strict();

const planItemSchema = z.object({ registry: z.string(), username: z.string(), store: credentialStoreSchema });
const removalItemSchema = z.object({ registry: z.string(), store: credentialStoreSchema });

/** What applying a plan would change, without secrets; `planId` names the full plan kept in main. */
export const dockerPlanSummarySchema = z.object({
  planId: z.string(),
  path: z.string(),
  added: z.array(planItemSchema),
  changed: z.array(planItemSchema),
  unchanged: z.array(planItemSchema),
  removed: z.array(removalItemSchema),
  warnings: z.array(z.object({ code: z.string(), registry: z.string().optional(), message: z.string() })),
  /** `credHelpers` changes: `helper` null removes the mapping. */
  routes: z.array(z.object({ registry: z.string(), helper: z.string().nullable() })).optional(),
});

/**
 * `docker:compare` input: each entry's login with HMAC-SHA-256(key, secret) in place of the secret
 * (`key` is the renderer's, random per session), and whether to ask the credential helpers again.
 */
export const dockerCompareRequestSchema = z
  .object({
    key: z.base64().length(44),
    refresh: z.boolean(),
    entries: z
      .array(
        z
          .object({
            id: z.string().min(1).max(128),
            registry: z.string().min(1).max(1024),
            username: z.string().max(1024),
            email: z.string().max(320).optional(),
            digest: z.base64().length(44),
            secretUpdatedAt: z.number().int().nonnegative().optional(),
          })
          .strict(),
      )
      .max(20_000),
  })
  .strict();

/**
 * How each compared entry stands in Docker's config; `older`: Regvault wrote this login before the entry's
 * secret changed; `regvault`: Docker asks docker-credential-regvault for it (credHelpers).
 */
export const dockerCompareSchema = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      state: z.enum(['same', 'differs', 'older', 'absent', 'unreadable', 'regvault']),
    }),
  ),
});

/** `docker:apply` input: the id of a plan the user reviewed. */
export const dockerApplyRequestSchema = z.object({ planId: z.string().min(1).max(128) }).strict();

/** What applying did; `backupPath` is absent when there was no previous file or nothing was written. */
export const dockerApplyReportSchema = z.object({
  path: z.string(),
  backupPath: z.string().optional(),
  written: z.array(removalItemSchema),
  removed: z.array(removalItemSchema),
});

/** What `docker:import` found: credentials (with secrets, for the vault) and what it left out, with why. */
export const dockerImportSchema = z.object({
  path: z.string(),
  entries: z.array(
    z.object({ registry: z.string(), username: z.string(), secret: z.string(), email: z.string().optional() }),
  ),
  skipped: z.array(z.object({ registry: z.string(), key: z.string(), reason: z.string() })),
});

/** `docker:kube-secret` input: the credentials and the Secret's name and (optional) namespace. */
export const kubeSecretRequestSchema = z
  .object({
    entries: z.array(dockerCredentialSchema).min(1).max(1000),
    name: z.string().min(1).max(253),
    namespace: z.string().min(1).max(63).optional(),
  })
  .strict();

const entryRef = { vaultId: z.string().min(1).max(128), entryId: z.string().min(1).max(128) };
const registrySchema = z.string().min(1).max(512);

/**
 * `refresh:run` input: which entry's command to run — never the command itself. Main runs only the argument
 * vector its user approved for that entry (and registry) in main's own dialog.
 */
export const refreshRunSchema = z.object({ ...entryRef, registry: registrySchema.optional() }).strict();

/** `refresh:approve` input: the command an entry should run; main asks its user in a native dialog. */
export const refreshApproveSchema = z
  .object({ ...entryRef, argv: argvSchema, registry: registrySchema.optional() })
  .strict();

/** `refresh:forget` input: the entry whose approved command main drops (the command was removed or changed). */
export const refreshForgetSchema = z.object(entryRef).strict();

/** The entry a reminder is about (ids only). */
export const reminderTargetSchema = z.object({
  vaultId: z.string().min(1).max(128),
  entryId: z.string().min(1).max(128),
});

/** `reminder:notify` input: a desktop notification without secrets; clicking it opens the entry. */
export const reminderNoteSchema = z
  .object({ title: z.string().min(1).max(200), body: z.string().max(1000), target: reminderTargetSchema.strict() })
  .strict();

/** What docker-credential-regvault asks the renderer through main (`helper:request`); `registry` is the Docker key. */
export const helperQuestionSchema = z.object({
  id: z.string(),
  action: z.enum(['get', 'store', 'erase', 'list']),
  registry: z.string().optional(),
  username: z.string().optional(),
  secret: z.string().optional(),
});

/** The renderer's answer to one helper question (`helper:answer`). */
export const helperAnswerRequestSchema = z
  .object({
    id: z.string().min(1).max(64),
    answer: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('credential'), username: z.string().max(1024), secret: z.string().max(65_536) }),
      z.object({
        kind: z.literal('list'),
        items: z.array(z.object({ registry: z.string().max(1024), username: z.string().max(1024) })).max(20_000),
      }),
      z.object({ kind: z.literal('done') }),
      z.object({ kind: z.literal('not-found') }),
      z.object({ kind: z.literal('locked') }),
      z.object({ kind: z.literal('refused'), message: z.string().max(500) }),
    ]),
  })
  .strict();

/** The command-line helper on this machine: where it goes, whether it is there and on PATH, and the channel. */
export const helperStatusSchema = z.object({
  target: z.string(),
  installed: z.boolean(),
  onPath: z.boolean(),
  canInstall: z.boolean(),
  note: z.string().optional(),
  channel: z.object({ running: z.boolean(), message: z.string().optional() }),
});

/** `helper:install` input: the target the user saw and confirmed (refused if it is not the current one). */
export const helperInstallRequestSchema = z.object({ target: z.string().min(1).max(4096) }).strict();

/** A backup file's name as Regvault writes it: `regvault-backup-YYYY-MM-DD[-N].rvbackup`. */
export const backupFileNameSchema = z.string().regex(/^regvault-backup-\d{4}-\d{2}-\d{2}(-\d{1,4})?\.rvbackup$/);

// A sealed backup file, base64 (at most 1 GiB of file).
const backupBytesSchema = z.base64().max(1_431_655_768);

/** `backup:save` input: a sealed backup file and the name to suggest; main asks where to save it. */
export const backupSaveSchema = z.object({ fileName: backupFileNameSchema, data: backupBytesSchema }).strict();

/** `backup:write-auto` input: an automatic backup into the folder the user chose, keeping the newest `keep`. */
export const backupAutoSchema = z
  .object({
    folder: z.string().min(1).max(4096),
    fileName: backupFileNameSchema,
    data: backupBytesSchema,
    keep: z.number().int().min(1).max(365),
  })
  .strict();

/** Renderer → main calls, named `domain:verb`. Each handler parses its input with `request`. */
export const channels = {
  'app:info': channel(noInput, appInfoSchema),
  'registry:check-login': channel(checkLoginSchema, loginCheckResultSchema),
  'registry:check-access': channel(checkAccessSchema, accessCheckResultSchema),
  'clipboard:copy-secret': channel(copySecretSchema, z.object({ clearsInMs: z.number() })),
  // Lock calls it: clears the clipboard only if it still holds the secret Regvault copied last.
  'clipboard:clear-secret': channel(noInput, z.object({ cleared: z.boolean() })),
  'docker:read': channel(noInput, dockerConfigViewSchema),
  'docker:plan': channel(dockerPlanRequestSchema, dockerPlanSummarySchema),
  'docker:compare': channel(dockerCompareRequestSchema, dockerCompareSchema),
  'docker:apply': channel(dockerApplyRequestSchema, dockerApplyReportSchema),
  'docker:import': channel(noInput, dockerImportSchema),
  'docker:kube-secret': channel(kubeSecretRequestSchema, z.object({ yaml: z.string() })),
  // Issue #17: a refresh command's token (failures carry the redacted stderr), reminders and the badge.
  'refresh:run': channel(refreshRunSchema, z.object({ token: z.string() })),
  'refresh:approve': channel(refreshApproveSchema, z.object({ approved: z.boolean() })),
  'refresh:forget': channel(refreshForgetSchema, z.object({})),
  'reminder:notify': channel(reminderNoteSchema, z.object({ shown: z.boolean() })),
  'reminder:badge': channel(z.object({ count: z.number().int().min(0).max(1_000_000) }).strict(), z.object({})),
  'helper:answer': channel(helperAnswerRequestSchema, z.object({ accepted: z.boolean() })),
  'helper:status': channel(noInput, helperStatusSchema),
  'helper:install': channel(helperInstallRequestSchema, helperStatusSchema),
  // Backups: main writes the sealed bytes atomically; it never sees a key (docs/crypto.md "Backup file").
  'backup:save': channel(backupSaveSchema, z.object({ path: z.string().nullable() })),
  'backup:choose-folder': channel(noInput, z.object({ folder: z.string().nullable() })),
  'backup:write-auto': channel(backupAutoSchema, z.object({ path: z.string(), removed: z.array(z.string()) })),
} as const;

/** Main → renderer notifications, named `domain:event`. */
export const events = {
  'power:suspend': z.undefined(),
  'power:lock-screen': z.undefined(),
  // A reminder notification was clicked: open its entry.
  'reminder:open': reminderTargetSchema,
  'helper:request': helperQuestionSchema,
} as const;

/** Every channel name of the contract. */
export type Channel = keyof typeof channels;
/** Every event name of the contract. */
export type EventName = keyof typeof events;
/** The validated input type of a channel. */
export type RequestOf<C extends Channel> = z.output<(typeof channels)[C]['request']>;
/** The response value type of a channel. */
export type ResponseOf<C extends Channel> = z.output<(typeof channels)[C]['response']>;
/** The payload type of an event. */
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
type VerbOf<C extends string, D extends string> = C extends `${D}:${infer V}` ? V : never;
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
type Method<C extends Channel> =
  RequestOf<C> extends undefined
    ? () => Promise<Result<ResponseOf<C>>>
    : (input: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;

/** `window.regvault`: one method per channel (`app:info` → `regvault.app.info()`) and typed subscriptions. */
export type RendererApi = {
  readonly [D in DomainOf<Channel>]: {
    readonly [V in VerbOf<Channel, D> as CamelCase<V>]: Method<Extract<`${D}:${V}`, Channel>>;
  };
} & {
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  readonly on: <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) => () => void;
};

/** The IPC channel that carries events from main to the renderer. */
export const eventChannel = 'regvault:event';

/** Converts a `domain:verb-name` channel into the `[domain, verbName]` path of its RendererApi method. */
export function methodPath(name: Channel): readonly [string, string] {
  const [domain = '', verb = ''] = name.split(':');
  return [domain, verb.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
}
