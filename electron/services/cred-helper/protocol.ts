// The docker-credential-helpers protocol as Docker (and skopeo, podman, …) speaks it: the action is
// argv[1], the input comes on stdin (a server URL, or {ServerURL, Username, Secret} for store), the
// answer goes to stdout, and any failure is one line on stdout with exit code 1. Texts follow the
// reference helpers (github.com/docker/docker-credential-helpers, package credentials), since
// clients compare some of them literally ("credentials not found in native keychain").
import type { ChannelAction } from './wire';

/** The helper's name as Docker looks it up (`credHelpers: {"host": "regvault"}`). */
export const HELPER_NAME = 'docker-credential-regvault';

/** What clients recognise as "no credential here" (then they go on anonymously). */
export const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
/** The reference helpers' text for a get/erase/store without a server URL. */
export const MISSING_SERVER_URL_MESSAGE = 'no credentials server URL';
/** The reference helpers' text for a store without a username. */
export const MISSING_USERNAME_MESSAGE = 'no credentials username';
/** The largest stdin the helper reads (a store carries a secret of at most 64 KiB). */
export const MAX_INPUT_BYTES = 128 * 1024;

/** The usage line the reference helpers print. */
export const USAGE = `Usage: ${HELPER_NAME} <store|get|erase|list|version>`;

/** What the command line asks for: an action for the app, a local answer, or a failure. */
export type Invocation =
  Readonly<{ kind: 'action'; action: ChannelAction }> | Readonly<{ kind: 'print'; text: string; code: number }>;

/** Reads argv (without node and the script) the way credentials.Serve does. */
export function parseInvocation(args: readonly string[], version: string): Invocation {
  if (args.length !== 1) return { kind: 'print', text: USAGE, code: 1 };
  const [action = ''] = args;
  if (action === '--version' || action === '-v' || action === 'version') {
    return { kind: 'print', text: versionLine(version), code: 0 };
  }
  if (action === '--help' || action === '-h') return { kind: 'print', text: USAGE, code: 0 };
  if (action === 'get' || action === 'store' || action === 'erase' || action === 'list') {
    return { kind: 'action', action };
  }
  return { kind: 'print', text: `${HELPER_NAME}: unknown action: ${action}`, code: 1 };
}

/** `docker-credential-regvault (regvault) <version>`, the reference helpers' version line. */
export function versionLine(version: string): string {
  return `${HELPER_NAME} (regvault) ${version}`;
}

/** A store request's credential as the reference decoder reads it (field names match case-insensitively). */
export type StoreInput = Readonly<{ serverURL: string; username: string; secret: string }>;

/** Why an input was refused: the one line the helper prints. */
export type InputFailure = Readonly<{ ok: false; message: string }>;

/** The server URL of a get/erase: stdin trimmed, as credentials.Get does. */
export function parseServerUrl(stdin: string): Readonly<{ ok: true; serverURL: string }> | InputFailure {
  const serverURL = stdin.trim();
  return serverURL === '' ? { ok: false, message: MISSING_SERVER_URL_MESSAGE } : { ok: true, serverURL };
}

function fieldOf(object: Record<string, unknown>, name: string): unknown {
  // Go's encoding/json matches keys case-insensitively, so {"serverurl": …} works with the reference helpers too.
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

/** The credential of a store: JSON as the reference helpers accept it, with their checks and texts. */
export function parseStoreInput(stdin: string): Readonly<{ ok: true; value: StoreInput }> | InputFailure {
  // The reference joins stdin's lines before decoding, so JSON split over lines works.
  const text = stdin.replace(/\r?\n/g, '');
  if (text.trim() === '') return { ok: false, message: 'EOF' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: 'invalid JSON on stdin: expected {"ServerURL":…,"Username":…,"Secret":…}' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: 'invalid JSON on stdin: expected an object with ServerURL, Username and Secret' };
  }
  const values = ['ServerURL', 'Username', 'Secret'].map((name) => fieldOf(parsed as Record<string, unknown>, name));
  if (values.some((value) => value !== undefined && value !== null && typeof value !== 'string')) {
    return { ok: false, message: 'invalid JSON on stdin: ServerURL, Username and Secret must be strings' };
  }
  const [serverURL = '', username = '', secret = ''] = values.map((value) => (typeof value === 'string' ? value : ''));
  if (serverURL === '') return { ok: false, message: MISSING_SERVER_URL_MESSAGE };
  if (username === '') return { ok: false, message: MISSING_USERNAME_MESSAGE };
  return { ok: true, value: { serverURL, username, secret } };
}

/** JSON as Go's encoder writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped, one trailing newline. */
export function encodeLikeGo(value: unknown): string {
  const escapes: Readonly<Record<string, string>> = {
    '<': '\\u003c',
    '>': '\\u003e',
    '&': '\\u0026',
    '\u2028': '\\u2028',
    '\u2029': '\\u2029',
  };
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c] ?? c)}\n`;
}

/** A get's answer on stdout: `{"ServerURL","Username","Secret"}` in the reference's field order. */
export function formatCredential(serverURL: string, username: string, secret: string): string {
  return encodeLikeGo({ ServerURL: serverURL, Username: username, Secret: secret });
}
