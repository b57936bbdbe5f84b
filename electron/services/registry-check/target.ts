import { isIPv4 } from 'node:net';
import {
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_KEY,
  readDockerKey,
} from '../../../shared/registry/registry-key';

/** Which kind of registry a host is; hints differ for each. */
export type RegistryKind = 'docker-hub' | 'docker-hub-website' | 'ecr' | 'other';

/** Where a login check connects, derived from a Docker `auths` key. */
export type RegistryTarget = Readonly<{
  /** `host[:port]` as written in URLs (IPv6 in brackets), port only when given. */
  authority: string;
  /** Lower-case host name or IP, IPv6 in brackets as the URL API writes it. */
  hostname: string;
  /** The port written in the key, if any. */
  port: number | undefined;
  /** A scheme written in the key (`http://…` asks for plain HTTP), else undefined. */
  scheme: 'http' | 'https' | undefined;
  kind: RegistryKind;
  /** 127.0.0.0/8, ::1 or localhost: plain HTTP is allowed there. */
  loopback: boolean;
}>;

/** Either a target or the reason the key is not one. */
export type TargetResolution = Readonly<{ ok: true; target: RegistryTarget }> | Readonly<{ ok: false; reason: string }>;

const ecrHostPattern = /\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
/** Paths Docker itself writes into `auths` keys (`https://index.docker.io/v1/`); anything else is a mistake. */
const acceptedPaths = new Set(['', '/', '/v1', '/v1/', '/v2', '/v2/']);

/** True for 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIPv4(v4) && v4.startsWith('127.');
}

/** Classifies a host for hints: Docker Hub, its website, Amazon ECR, or anything else. */
export function classifyRegistryHost(hostname: string): RegistryKind {
  if (DOCKER_HUB_ALIASES.has(hostname)) return 'docker-hub';
  if (hostname === 'hub.docker.com') return 'docker-hub-website';
  return ecrHostPattern.test(hostname) ? 'ecr' : 'other';
}

/** Splits an optional `http://` / `https://` prefix off a key. */
function splitScheme(
  key: string,
): Readonly<{ scheme: 'http' | 'https' | undefined; rest: string } | { error: string }> {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(key);
  if (!match) return { scheme: undefined, rest: key };
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https')
    return { error: `"${scheme}://" is not a registry scheme; use host[:port].` };
  return { scheme, rest: key.slice(match[0].length) };
}

/** The port as written (the URL API drops :443 for https, but `host:443` still names a port). */
function readWrittenPort(rest: string): number | undefined {
  const authority = rest.split('/')[0] ?? '';
  const match = /:(\d+)$/.exec(authority);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Turns a Docker `auths` key (`https://index.docker.io/v1/`, `host[:port]`, optionally with a scheme) into a target. */
export function resolveTarget(registry: string): TargetResolution {
  const key = registry.trim();
  if (key.length === 0) return { ok: false, reason: 'The registry address is empty.' };
  if (/\s/.test(key)) return { ok: false, reason: 'The registry address contains spaces.' };
  const split = splitScheme(key);
  if ('error' in split) return { ok: false, reason: split.error };
  if (/[@?#\\]/.test(split.rest)) {
    return { ok: false, reason: 'The registry address may not contain a user name, query or fragment.' };
  }
  let url: URL;
  try {
    url = new URL(`https://${split.rest}`);
  } catch {
    return { ok: false, reason: `"${key}" is not a valid host or host:port.` };
  }
  if (!acceptedPaths.has(url.pathname)) {
    return { ok: false, reason: `A registry address has no path ("${url.pathname}"); use host[:port] only.` };
  }
  const writtenPort = readWrittenPort(split.rest);
  if (writtenPort === 0) return { ok: false, reason: 'Port 0 is not a valid registry port.' };
  // Host and port follow the one registry-key rule (shared/registry), read as Docker reads keys.
  const read = readDockerKey(key);
  if (!read.ok) return { ok: false, reason: `"${key}" is not a valid host or host:port. ${read.reason}` };
  // Docker Hub is whatever the rule folds into its key (`docker.io:443` too): its API host, default port.
  const isHub = read.key === DOCKER_HUB_KEY;
  const kind = isHub ? 'docker-hub' : classifyRegistryHost(url.hostname);
  const hostname = isHub ? DOCKER_HUB_API_HOST : url.hostname;
  const port = isHub ? undefined : writtenPort;
  const authority = port === undefined ? hostname : `${hostname}:${port}`;
  return {
    ok: true,
    target: { authority, hostname, port, scheme: split.scheme, kind, loopback: isLoopbackHost(hostname) },
  };
}

/** The `/v2/` URL of a target over the given scheme. */
export function buildPingUrl(target: RegistryTarget, scheme: 'http' | 'https'): URL {
  return new URL(`${scheme}://${target.authority}/v2/`);
}
