import { isIPv4 } from 'node:net';
import {
  DOCKER_HUB_ALIASES,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_KEY,
  isApiRootPath,
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

/**
 * Turns a Docker `auths` key (`https://index.docker.io/v1/`, `host[:port]`, optionally with a scheme)
 * into a target. The address is read by the one registry-key rule (shared/registry, lenient mode),
 * plus one thing a login check needs: a path other than an API root means a repository was typed.
 */
export function resolveTarget(registry: string): TargetResolution {
  const read = readDockerKey(registry);
  if (!read.ok) return { ok: false, reason: read.hint === undefined ? read.reason : `${read.reason} ${read.hint}` };
  const { written } = read;
  if (!isApiRootPath(written.path)) {
    return { ok: false, reason: `A registry address has no path ("${written.path}"); use host[:port] only.` };
  }
  // Docker Hub is whatever the rule folds into its key (`docker.io:443` too): its API host, default port.
  const isHub = read.key === DOCKER_HUB_KEY;
  const hostname = isHub ? DOCKER_HUB_API_HOST : written.host;
  // The port as written, even a default one: with plain HTTP after HTTPS, `host:443` stays on 443.
  const port = isHub || written.port === undefined ? undefined : Number(written.port);
  const authority = port === undefined ? hostname : `${hostname}:${port}`;
  const kind = isHub ? 'docker-hub' : classifyRegistryHost(written.host);
  return {
    ok: true,
    target: { authority, hostname, port, scheme: written.scheme, kind, loopback: isLoopbackHost(hostname) },
  };
}

/** The `/v2/` URL of a target over the given scheme. */
export function buildPingUrl(target: RegistryTarget, scheme: Scheme): URL {
  return new URL(`${scheme}://${target.authority}/v2/`);
}

/** A URL scheme a registry may be reached over. */
export type Scheme = 'http' | 'https';

/** Schemes to try in order, or undefined when the key asks for plain HTTP where it is not allowed. */
export function planSchemes(
  context: Readonly<{ target: RegistryTarget; plainHttpAllowed: boolean }>,
): readonly Scheme[] | undefined {
  const written = context.target.scheme;
  if (written === 'http') return context.plainHttpAllowed ? ['http'] : undefined;
  if (written === 'https' || !context.plainHttpAllowed) return ['https'];
  // Like Docker for insecure registries: HTTPS first, plain HTTP when that port does not speak TLS.
  return ['https', 'http'];
}
