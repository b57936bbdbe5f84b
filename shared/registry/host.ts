/**
 * Host and port validation for registry URLs. Docker's reference grammar allows only
 * ASCII letters, digits and hyphens in a host label, so we refuse anything else with a
 * reason the user can act on, rather than letting `docker login` fail later.
 */

/** A refused input: why, and optionally what to type instead. */
export type Refusal = Readonly<{ ok: false; reason: string; hint?: string }>;

/** A host and optional port split out of a URL authority; `host` keeps IPv6 brackets. */
export type HostPort = Readonly<{ ok: true; host: string; port?: string }>;

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const MAX_LABEL = 63;
const MAX_HOST = 253;
const IPV6_HINT = 'Write an IPv6 address in brackets, e.g. [::1]:5000';

/** Builds a refusal; the reason never echoes what the user typed, in case it held a secret. */
export function refuse(reason: string, hint?: string): Refusal {
  return hint === undefined ? { ok: false, reason } : { ok: false, reason, hint };
}

/** Splits `host[:port]` or `[ipv6][:port]` and validates both parts; the host comes back lower-case. */
export function parseAuthority(authority: string): HostPort | Refusal {
  if (authority === '') return refuse('The registry URL has no host name.', 'Enter a host, e.g. ghcr.io');
  if (authority.startsWith('[')) return parseBracketed(authority);
  const colons = authority.split(':').length - 1;
  if (colons > 1) return refuse('An IPv6 address must be written in brackets.', IPV6_HINT);
  const [rawHost = '', rawPort] = authority.split(':');
  const host = checkHostName(rawHost.toLowerCase());
  if (typeof host !== 'string') return host;
  if (rawPort === undefined) return { ok: true, host };
  const port = checkPort(rawPort);
  return typeof port === 'string' ? { ok: true, host, port } : port;
}

function parseBracketed(authority: string): HostPort | Refusal {
  const end = authority.indexOf(']');
  if (end === -1) return refuse('The IPv6 address is missing its closing bracket.', IPV6_HINT);
  const address = authority.slice(1, end).toLowerCase();
  if (!isIpv6(address)) return refuse('The text in brackets is not a valid IPv6 address.', IPV6_HINT);
  const host = `[${address}]`;
  const after = authority.slice(end + 1);
  if (after === '') return { ok: true, host };
  if (!after.startsWith(':')) return refuse('Only a port may follow an IPv6 address.', IPV6_HINT);
  const port = checkPort(after.slice(1));
  return typeof port === 'string' ? { ok: true, host, port } : port;
}

/** Returns the port as written when it is 1–65535 without leading zeros, else a refusal. */
function checkPort(port: string): string | Refusal {
  const hint = 'Use a port number from 1 to 65535, e.g. registry.example.com:5000';
  if (!/^\d{1,5}$/.test(port)) return refuse('The port must be a number.', hint);
  if (port.length > 1 && port.startsWith('0')) return refuse('The port cannot have leading zeros.', hint);
  const value = Number(port);
  if (value < 1 || value > 65535) return refuse('The port must be between 1 and 65535.', hint);
  return port;
}

/** Validates a lower-cased DNS name or IPv4 address; returns it unchanged or a refusal. */
function checkHostName(host: string): string | Refusal {
  if (host === '') return refuse('The registry URL has no host name.', 'Enter a host, e.g. ghcr.io');
  if (/[^\x20-\x7e]/.test(host)) {
    return refuse('Internationalized host names are not supported.', 'Enter the punycode form of the host (xn--…).');
  }
  if (host.length > MAX_HOST) return refuse(`A host name can be at most ${MAX_HOST} characters.`);
  const labels = host.split('.');
  for (const label of labels) {
    const problem = checkLabel(label);
    if (problem !== undefined) return problem;
  }
  // WHATWG URL parsing treats a numeric last label as IPv4, and so do resolvers.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '') && !isIpv4(host)) {
    return refuse('The host looks like an IPv4 address but is not a valid one.', 'e.g. 192.168.1.10:5000');
  }
  return host;
}

function checkLabel(label: string): Refusal | undefined {
  if (label === '') {
    return refuse('The host name has an empty part (two dots in a row, or a leading or trailing dot).');
  }
  if (label.length > MAX_LABEL)
    return refuse(`Each dot-separated part of a host name can be at most ${MAX_LABEL} characters.`);
  if (label.startsWith('-') || label.endsWith('-'))
    return refuse('A part of a host name cannot start or end with a hyphen.');
  if (!LABEL.test(label)) return refuse('A host name may contain only letters, digits, hyphens and dots.');
  return undefined;
}

/** True for dotted-quad IPv4 with each octet 0–255 and no leading zeros. */
export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** True for an IPv6 address (hex groups, one optional `::`, optional trailing IPv4); zone ids are refused. */
export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  let count = 0;
  for (const [i, group] of groups.entries()) {
    if (i === groups.length - 1 && group.includes('.')) {
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (/^[0-9a-f]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}
