/**
 * What the Docker config screen shows, computed from main's answers and the vault's entries:
 * pure functions, so they are tested without a browser. State lives in docker-config.svelte.ts.
 */
import type { Entry } from '../../../shared/entries';
import type { RequestOf, ResponseOf } from '../../../shared/ipc/contract';
import { displayRegistry, toRegistryKey } from '../../../shared/registry';
import type { DockerState } from './docker-digests';

export type DockerView = ResponseOf<'docker:read'>;
export type PlanSummary = ResponseOf<'docker:plan'>;
export type ApplyReport = ResponseOf<'docker:apply'>;
export type ImportFound = ResponseOf<'docker:import'>;
export type CredentialStore = DockerView['entries'][number]['store'];
/** A credential as the docker channels take it. */
export type Credential = RequestOf<'docker:plan'>['entries'][number];

/** What the Docker config screen calls each state of an entry. */
export const DOCKER_STATE_LABELS: Readonly<Record<DockerState, string>> = {
  same: 'in docker config',
  differs: 'differs from docker config',
  older: 'docker config holds an older secret',
  absent: 'missing from docker config',
  regvault: 'docker asks regvault (credHelpers)',
  unreadable: 'in docker config (helper not readable)',
};

/** The sentence under every error that stopped before writing. */
export const NOTHING_TOUCHED = 'Nothing was changed in the file.';

/** The credential Docker needs from an entry. */
export function toCredential(entry: Entry): Credential {
  const { registry, username, secret, email } = entry;
  return { registry, username, secret, ...(email !== undefined ? { email } : {}) };
}

/** Where a registry's secret lives, in words. */
export function describeStore(store: CredentialStore): string {
  return store.kind === 'file' ? 'config.json (base64, unencrypted)' : `helper: ${store.helper}`;
}

/** One line of a reviewed plan. */
export type PlanLine = Readonly<{ registry: string; label: string; username?: string; store: string }>;

/** The plan as the review lists it: the four groups in order, each line with where it is stored. */
export function planGroups(plan: PlanSummary): readonly Readonly<{ title: string; lines: readonly PlanLine[] }>[] {
  const line = (item: Readonly<{ registry: string; username?: string; store: CredentialStore }>): PlanLine => ({
    registry: item.registry,
    label: displayRegistry(item.registry),
    ...(item.username !== undefined ? { username: item.username } : {}),
    store: describeStore(item.store),
  });
  const groups = [
    { title: 'Added', lines: plan.added.map(line) },
    { title: 'Changed', lines: plan.changed.map(line) },
    { title: 'Unchanged', lines: plan.unchanged.map(line) },
    { title: 'Removed', lines: plan.removed.map(line) },
  ];
  const routes = plan.routes ?? [];
  return routes.length === 0 ? groups : [...groups, { title: 'Credential helper', lines: routes.map(routeLine) }];
}

/** A `credHelpers` change as the review lists it. */
function routeLine(route: Readonly<{ registry: string; helper: string | null }>): PlanLine {
  return {
    registry: route.registry,
    label: displayRegistry(route.registry),
    store:
      route.helper === null
        ? 'no longer asks docker-credential-regvault'
        : `credHelpers: docker-credential-${route.helper} (no secret in config.json)`,
  };
}

/** True when applying the plan would change nothing. */
export function isNoop(plan: PlanSummary): boolean {
  return plan.added.length + plan.changed.length + plan.removed.length + (plan.routes?.length ?? 0) === 0;
}

/** The registry keys of these entries. */
export function registriesOf(entries: readonly Readonly<{ registry: string }>[]): ReadonlySet<string> {
  return new Set(entries.map((entry) => entry.registry));
}

/** One login found by an import, and whether the vault already has its registry. */
export type ImportRow = Readonly<{ credential: ImportFound['entries'][number]; label: string; duplicate: boolean }>;

/** The logins an import found, each marked when the vault already has an entry for its registry key. */
export function importRows(found: ImportFound | null, entries: readonly Entry[]): readonly ImportRow[] {
  const inVault = registriesOf(entries);
  return (found?.entries ?? []).map((credential) => {
    const key = toRegistryKey(credential.registry);
    const registry = key.ok ? key.key : credential.registry;
    return { credential, label: displayRegistry(registry), duplicate: inVault.has(registry) };
  });
}
