/**
 * What "Test access" reports for one repository (docs/login-check.md, "Test access"): the verdict codes, the
 * sentences the user reads, and the product page's advice for each. Shared because main sends the verdict and
 * the renderer words the least-privilege warning from it.
 */

/** Every verdict: the rights found, the repository missing, or the check not getting that far. */
export const ACCESS_VERDICTS = ['pull-push', 'pull-only', 'push-only', 'no-access', 'not-found', 'failed'] as const;

/** One verdict of an access test. */
export type AccessVerdict = (typeof ACCESS_VERDICTS)[number];

/** How the rights were found: the registry token's `access` claims, or read-only probes of the registry API. */
export type AccessMethod = 'token-claims' | 'probe';

/** The sentence for a repository not found. */
export const REPOSITORY_NOT_FOUND = 'Repository not found (some registries require pre-creation)';

/** The sentence for read rights without write rights. */
export const PULL_ONLY = 'Can pull only — pipelines that push will fail';

/** The least-privilege warning for an entry marked "pull only" whose token can push. */
export const CAN_PUSH_WARNING = 'This token can push; a read-only token is safer';

/** The headline of a verdict for a repository. */
export function describeAccess(verdict: AccessVerdict, repository: string): string {
  switch (verdict) {
    case 'pull-push':
      return `Can pull and push ${repository}`;
    case 'pull-only':
      return PULL_ONLY;
    case 'push-only':
      return `Can push but not pull ${repository} — pipelines that pull will fail`;
    case 'no-access':
      return `No access to ${repository} — pipelines that pull or push will fail`;
    case 'not-found':
      return REPOSITORY_NOT_FOUND;
    case 'failed':
      return `Could not test access to ${repository}`;
  }
}

/** The product page's advice for a verdict (a failed check uses the login check's hint instead). */
export function adviseAccess(verdict: AccessVerdict): string {
  switch (verdict) {
    case 'pull-push':
      return 'Use tokens with minimum required permissions (read-only where possible).';
    case 'pull-only':
      return 'Ensure token has required permissions (push/pull). Verify registry credentials have write access.';
    case 'push-only':
      return 'Ensure token has required permissions (push/pull). Verify credentials have read access.';
    case 'no-access':
      return 'Ensure token has required permissions (push/pull). Verify credentials have read access. Check if the repository exists (some registries require pre-creation).';
    case 'not-found':
      return 'Check if the repository exists (some registries require pre-creation). Ensure the repository name is correct, without the registry host.';
    case 'failed':
      return '';
  }
}

/** The least-privilege warning, when an entry whose pipelines only pull holds a token that can push. */
export function leastPrivilegeWarning(pullOnly: boolean, push: boolean | null): string | undefined {
  return pullOnly && push === true ? CAN_PUSH_WARNING : undefined;
}

// distribution's reference grammar: lower-case path components joined by `/`, a tag of word characters.
const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const namePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^\w[\w.-]{0,127}$/;

/** A repository and an optional tag, as typed in the Repository field ("team/api" or "team/api:v1"). */
export type RepositoryRef = Readonly<{ name: string; tag?: string }>;

/** Reads "team/api" or "team/api:v1"; a reason (what to type instead) when it is not a repository name. */
export function parseRepositoryRef(
  text: string,
): Readonly<{ ok: true; ref: RepositoryRef }> | Readonly<{ ok: false; reason: string }> {
  const typed = text.trim();
  if (typed === '') return { ok: false, reason: 'Enter a repository, for example team/api.' };
  const colon = typed.lastIndexOf(':');
  const hasTag = colon > typed.lastIndexOf('/');
  const name = hasTag ? typed.slice(0, colon) : typed;
  const tag = hasTag ? typed.slice(colon + 1) : undefined;
  if (name.length > 255 || !namePattern.test(name)) {
    return {
      ok: false,
      reason:
        'Enter the repository path without the registry host: lower-case letters, digits and . _ - separated by /, for example team/api.',
    };
  }
  if (tag !== undefined && !tagPattern.test(tag)) {
    return {
      ok: false,
      reason: 'Ensure image tag follows registry naming conventions: letters, digits, _ . - (at most 128).',
    };
  }
  return { ok: true, ref: tag === undefined ? { name } : { name, tag } };
}
