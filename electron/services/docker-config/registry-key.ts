/** The key Docker uses for Docker Hub in `auths`, `credHelpers` and helper calls. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

// Hosts Docker treats as Docker Hub; all of them are stored under DOCKER_HUB_KEY.
const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Maps a registry as written by a user or found in config.json to Docker's key:
 * scheme and path stripped, host lower-cased, `:443` dropped, Docker Hub aliases
 * folded into DOCKER_HUB_KEY. Returns null for something that is not a registry.
 * A local copy on purpose: this module must stay usable without `shared/registry/`.
 */
export function normalizeRegistryKey(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length === 0 || /\s/.test(trimmed)) return null;
  const withoutScheme = trimmed.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const hostPort = withoutScheme.split('/')[0] ?? '';
  if (hostPort.length === 0 || hostPort.includes('@')) return null;
  const match = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(hostPort);
  if (!match) return null;
  const host = (match[1] ?? '').toLowerCase();
  const port = match[2];
  if (host.startsWith('.') || host.endsWith('.') || host.includes('..')) return null;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  if (dockerHubHosts.has(host)) return DOCKER_HUB_KEY;
  return port === undefined || port === '443' ? host : `${host}:${port}`;
}

/** True for the Docker Hub key, which Docker never matches through legacy aliases. */
export function isDockerHubKey(key: string): boolean {
  return key === DOCKER_HUB_KEY;
}
