// Which relay addresses a client may use, and the one spelling of an address that a device signs into
// its authentication (so the relay can check that it is the relay the device meant to reach). Plain
// ws:// is unencrypted: a network attacker could read and rewrite it, so it is allowed to this machine only.
import { fail, ok, type Failure, type Result } from '../result';

/** Why a relay address was refused: not a WebSocket address, or plain ws:// to another machine. */
export type RelayUrlCode = 'not-websocket' | 'insecure-remote';

/** A refused relay address, with what to enter instead. */
export type RelayUrlFailure = Failure<RelayUrlCode>;

// The WHATWG URL parser exists wherever shared/ runs (browser, Node) but shared/ compiles without DOM
// or Node types; it is the parser the WebSocket itself uses, so the spelling signed is the one dialled.
declare const URL: new (input: string) => Readonly<{
  href: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  pathname: string;
  search: string;
  hash: string;
}>;
type URL = InstanceType<typeof URL>;

const ipv4Loopback = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** True for `localhost`, 127.0.0.0/8 and ::1, as `URL.hostname` spells them (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || ipv4Loopback.test(host);
}

/**
 * Checks a relay address and returns its canonical spelling (`URL.href`: scheme and host lower-cased,
 * default port dropped, path at least `/`). Only ws:// and wss://, without user, query or fragment;
 * ws:// only to a loopback host.
 */
export function checkRelayUrl(input: string): Result<string, RelayUrlFailure> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return notWebSocket();
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return notWebSocket();
  if (url.hostname === '' || url.username || url.password || url.search || url.hash) return notWebSocket();
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    return fail(
      'insecure-remote',
      `Plain ws:// is unencrypted and allowed only to this machine (localhost, 127.0.0.1, ::1). Use wss://${url.host}${url.pathname === '/' ? '' : url.pathname} instead.`,
    );
  }
  return ok(url.href);
}

function notWebSocket(): Result<never, RelayUrlFailure> {
  return fail(
    'not-websocket',
    'Enter the relay as a WebSocket address, e.g. wss://relay.example.com or ws://127.0.0.1:8787.',
  );
}
