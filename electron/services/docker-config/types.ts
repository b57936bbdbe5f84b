import { fail, ok, type Err, type Failure, type Result } from '../../../shared/result';

/** Where Docker keeps the secret of one registry: in config.json or behind a credential helper. */
export type CredentialStore = Readonly<{ kind: 'file' }> | Readonly<{ kind: 'helper'; helper: string }>;

/** Failure codes of the docker-config service; every message says what to do next. */
export type DockerConfigErrorCode =
  'config-malformed' | 'config-changed' | 'invalid-entry' | 'helper-failed' | 'helper-not-found' | 'io';

/** A failure with a stable code and a sentence the user can act on. */
export type DockerConfigError = Failure<DockerConfigErrorCode>;

/** The shared `Result` with the error narrowed to docker-config codes. */
export type DockerConfigResult<T> = Result<T, DockerConfigError>;

/** Where to find config.json and the helpers; tests pass a temporary dir and their own env. */
export type DockerConfigOptions = Readonly<{
  configDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  home?: string;
  platform?: NodeJS.Platform;
  helperTimeoutMs?: number;
}>;

/** A credential as Regvault holds it and Docker needs it. */
export type DockerCredential = Readonly<{ registry: string; username: string; secret: string; email?: string }>;

/** One registry found in the `auths` of config.json. */
export type DockerConfigEntry = Readonly<{
  /** Canonical registry key (Docker Hub folded into `https://index.docker.io/v1/`). */
  registry: string;
  /** The key exactly as it appears in the file. */
  key: string;
  username?: string;
  email?: string;
  store: CredentialStore;
}>;

/** config.json as read: the typed view plus the untouched object for round-tripping. */
export type DockerConfigView = Readonly<{
  path: string;
  exists: boolean;
  entries: readonly DockerConfigEntry[];
  credsStore?: string;
  credHelpers: Readonly<Record<string, string>>;
  raw: Readonly<Record<string, unknown>>;
}>;

/** One registry in a plan, without its secret. */
export type PlanItem = Readonly<{ registry: string; username: string; store: CredentialStore }>;

/** One registry the plan will remove, with the store it was written to. */
export type RemovalItem = Readonly<{ registry: string; store: CredentialStore }>;

/** Something the user should know before applying a plan. */
export type PlanWarning = Readonly<{
  code:
    | 'wincred-secret-too-long'
    | 'stored-unencrypted'
    | 'not-written-by-regvault'
    | 'changed-since-written'
    | 'already-removed'
    | 'written-record-unreadable';
  registry?: string;
  message: string;
}>;

/** A write the plan will perform. Holds the secret: never log it or send it to a renderer. */
export type PlannedWrite = Readonly<{
  registry: string;
  username: string;
  secret: string;
  email?: string;
  store: CredentialStore;
}>;

/** A `credHelpers` change: map a registry to a helper, or (null) remove the mapping. */
export type HelperRoute = Readonly<{ registry: string; helper: string | null }>;

/** What applying will change, computed against one exact version of the file. */
export type DockerConfigPlan = Readonly<{
  path: string;
  configDir: string;
  added: readonly PlanItem[];
  changed: readonly PlanItem[];
  unchanged: readonly PlanItem[];
  removed: readonly RemovalItem[];
  warnings: readonly PlanWarning[];
  /** SHA-256 of the file the plan was made against, null when there was none. */
  baseDigest: string | null;
  writes: readonly PlannedWrite[];
  /** `credHelpers` changes ("Use Regvault for these registries" and back). */
  routes?: readonly HelperRoute[];
}>;

/** What applying did. */
export type ApplyReport = Readonly<{
  path: string;
  backupPath?: string;
  written: readonly Readonly<{ registry: string; store: CredentialStore }>[];
  removed: readonly RemovalItem[];
}>;

/** A credential read back from Docker's config or its helpers. */
export type ImportedCredential = Readonly<{ registry: string; username: string; secret: string; email?: string }>;

/** A registry an import could not take, and why. */
export type SkippedImport = Readonly<{ registry: string; key: string; reason: string }>;

/** Builds a failed result; the parameter type keeps the code inside this domain's union. */
export function failure(code: DockerConfigErrorCode, message: string): Err<DockerConfigError> {
  return fail(code, message);
}

/** Builds a successful result (`ok`, under the name this service's modules use). */
export const success = ok;
