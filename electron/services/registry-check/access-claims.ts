import { readJwtClaims } from '../../../shared/registry/token-text';

/** The rights a registry token grants on one repository, read from its `access` claims. */
export type GrantedActions = Readonly<{ pull: boolean; push: boolean }>;

/**
 * What a registry token (a JWT, as distribution, Docker Hub, Harbor, GitLab, Quay and ACR issue them) grants on
 * `repository:<name>`: the union of the actions of its `access` entries for that repository (`*` is every action).
 * Undefined when the token is not a JWT or carries no `access` array (GHCR's and other opaque tokens): the caller
 * then asks the registry API instead.
 */
export function readGrantedActions(token: string, name: string): GrantedActions | undefined {
  const access = readJwtClaims(token)?.['access'];
  if (!Array.isArray(access)) return undefined;
  const actions = new Set<string>();
  for (const item of access as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { type, name: itemName, actions: itemActions } = item as Record<string, unknown>;
    if (type !== 'repository' || itemName !== name || !Array.isArray(itemActions)) continue;
    for (const action of itemActions as unknown[]) if (typeof action === 'string') actions.add(action);
  }
  const all = actions.has('*');
  return { pull: all || actions.has('pull'), push: all || actions.has('push') };
}
