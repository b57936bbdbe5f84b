/**
 * Registry keys: the exact strings Docker uses as keys of `auths` in config.json.
 * Two spellings of one registry must give one key, or a vault could hold two entries
 * for it and Docker would see only one of them.
 */
import { parseAuthority, refuse, type Refusal } from './host';

/** Docker Hub's key in `auths`, as `docker login` writes it. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/** What Docker Hub's key looks like to a person. */
export const DOCKER_HUB_DISPLAY = 'docker.io';

/** The host that serves Docker Hub's registry API (`/v2/`). */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** The hint shown when someone types Docker Hub's website instead of its registry (seed text). */
export const HUB_WEBSITE_HINT = 'For Docker Hub, use docker.io not hub.docker.com';

/** The parts of a registry address as written: scheme (if any), lower-case host, port (if any), path. */
export type WrittenAddress = Readonly<{ scheme?: 'http' | 'https'; host: string; port?: string; path: string }>;

/** A normalized registry key and the address it was read from, or why the input cannot be one. */
export type RegistryKeyResult = Readonly<{ ok: true; key: string; display: string; written: WrittenAddress }> | Refusal;

/** The host names Docker treats as Docker Hub; each is stored under DOCKER_HUB_KEY. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
]);
// Docker's API roots: people paste them from docs (`https://index.docker.io/v1/`, `…/v2/`).
const API_PATHS: ReadonlySet<string> = new Set(['', '/', '/v1', '/v1/', '/v2', '/v2/']);
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

type SchemeSplit = Readonly<{ ok: true; scheme?: 'http' | 'https'; rest: string }> | Refusal;

/** Normalizes what a user typed into Docker's `auths` key, or refuses it with a reason and a hint. */
export function toRegistryKey(input: string): RegistryKeyResult {
  const text = input.trim();
  if (text === '') return refuse('Enter a registry URL.', 'e.g. ghcr.io, docker.io or registry.example.com:5000');
  if (/\s/.test(text)) return refuse('A registry URL cannot contain spaces.', 'e.g. registry.example.com:5000');
  const split = splitScheme(text);
  if (!split.ok) return split;
  const { scheme, rest } = split;
  if (/[?#]/.test(rest)) {
    return refuse('A registry URL has no query (?) or fragment (#).', 'Enter just the host, e.g. ghcr.io');
  }
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (hasUserInfo(authority, rest)) {
    return refuse('A registry URL cannot contain a username or password.', 'Put credentials in Username/Password.');
  }
  const parsed = parseAuthority(authority);
  if (!parsed.ok) return parsed;
  if (parsed.host === 'hub.docker.com') {
    return refuse('hub.docker.com is the Docker Hub website, not its registry.', HUB_WEBSITE_HINT);
  }
  const result = keyResult({ scheme, host: parsed.host, port: parsed.port, path });
  if (!isApiRootPath(path)) {
    return refuse('A registry URL cannot contain a path.', `The registry is just the host, e.g. ${result.display}`);
  }
  return result;
}

/**
 * The lenient mode of the same rule, for keys Docker itself wrote into config.json (`auths`,
 * `credHelpers`) or gave a credential helper: like Docker's own `ConvertToHostname`, any path
 * is dropped and `hub.docker.com` is just another host, so a key the entry form would refuse
 * (`https://ghcr.io/v1/`, `registry.example.com/team`) still names its registry. Spaces,
 * user-info and invalid hosts or ports are refused as in the strict mode.
 */
export function readDockerKey(input: string): RegistryKeyResult {
  const text = input.trim();
  if (text === '') return refuse('The registry address is empty.');
  if (/\s/.test(text)) return refuse('A registry address cannot contain spaces.');
  const split = splitScheme(text);
  if (!split.ok) return split;
  const slash = split.rest.indexOf('/');
  const authority = slash === -1 ? split.rest : split.rest.slice(0, slash);
  if (authority.includes('@')) return refuse('A registry address cannot contain a username or password.');
  const parsed = parseAuthority(authority);
  if (!parsed.ok) return parsed;
  const path = slash === -1 ? '' : split.rest.slice(slash);
  return keyResult({ scheme: split.scheme, host: parsed.host, port: parsed.port, path });
}

/** True for no path, or one of the API roots Docker itself writes (`/v1/` of Docker Hub's key). */
export function isApiRootPath(path: string): boolean {
  return API_PATHS.has(path.toLowerCase());
}

/** The key of a validated address: the scheme's default port dropped, Docker Hub's aliases folded. */
function keyResult(
  written: WrittenAddress,
): Readonly<{ ok: true; key: string; display: string; written: WrittenAddress }> {
  const port = isDefaultPort(written.port, written.scheme) ? undefined : written.port;
  const hostPort = port === undefined ? written.host : `${written.host}:${port}`;
  const key = port === undefined && DOCKER_HUB_ALIASES.has(written.host) ? DOCKER_HUB_KEY : hostPort;
  return { ok: true, key, display: displayRegistry(key), written };
}

/** How a registry key is shown: Docker Hub's key as `docker.io`, every other key as itself. */
export function displayRegistry(key: string): string {
  return key === DOCKER_HUB_KEY ? DOCKER_HUB_DISPLAY : key;
}

/** The `host[:port]` that serves a registry's `/v2/` API (Docker Hub: `registry-1.docker.io`). */
export function registryHostForApi(key: string): string {
  return key === DOCKER_HUB_KEY ? DOCKER_HUB_API_HOST : key;
}

/** True when two typed registry URLs normalize to the same key (both must be valid). */
export function isSameRegistry(a: string, b: string): boolean {
  const left = toRegistryKey(a);
  const right = toRegistryKey(b);
  return left.ok && right.ok && left.key === right.key;
}

function splitScheme(text: string): SchemeSplit {
  const match = SCHEME.exec(text);
  if (match === null) {
    // `https:/ghcr.io` or `https:ghcr.io` would otherwise parse as host "https" with a bad port.
    if (/^https?:(?!\d)/i.test(text)) {
      return refuse('The scheme is malformed.', 'Write https:// with two slashes, or leave the scheme out');
    }
    return { ok: true, rest: text };
  }
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return refuse('Only https:// and http:// registry URLs are supported.', 'Enter just the host, e.g. ghcr.io');
  }
  return { ok: true, scheme, rest: text.slice(match[0].length) };
}

function isDefaultPort(port: string | undefined, scheme: 'http' | 'https' | undefined): boolean {
  if (port === undefined) return true;
  return scheme === 'http' ? port === '80' : port === '443';
}

/**
 * `user:pw@host` is user-info. A password may itself contain `/`, which would move the `@`
 * out of the authority, so also look for an `@` followed by a valid host at the end.
 */
function hasUserInfo(authority: string, rest: string): boolean {
  if (authority.includes('@')) return true;
  const at = rest.lastIndexOf('@');
  if (at === -1) return false;
  const after = rest.slice(at + 1).replace(/\/(v[12]\/?)?$/i, '');
  return rest.slice(0, at).includes(':') && parseAuthority(after).ok;
}
