// Who is at the other end of the helper channel. Before the helper executable sends anything that
// matters (its proof of the install secret, a credential `docker login` stores), the server proves it
// holds the install secret too: an HMAC over both sides' fresh nonces. Only this user (and the
// administrator) can read the secret's 0600 file in the 0700 folder, so another local user who
// managed to serve the socket or pipe first cannot answer, and receives nothing. The helper then
// proves the secret the same way (the secret itself never crosses the channel).
//
// On Windows the pipe's name is unguessable: 128 random bits chosen at each start and kept in the
// same user-only folder, so another user cannot create it before the app. On Unix the socket is a
// 0600 file in a 0700 folder, and the helper refuses one whose file or folder another user owns (Node
// offers no SO_PEERCRED; the file's owner is the server's user).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const NONCE_HEX = 64;
const hex = z.string().regex(new RegExp(`^[0-9a-f]{${NONCE_HEX}}$`));

/** The helper's first line: its fresh nonce. */
export const helloSchema = z.strictObject({ v: z.literal(2), hello: hex });
/** The server's answer: its nonce and its proof over both. */
export const serverProofSchema = z.strictObject({ nonce: hex, proof: hex });

/** The helper's first line. */
export type Hello = z.output<typeof helloSchema>;
/** The server's proof. */
export type ServerProof = z.output<typeof serverProofSchema>;

/** A fresh nonce (32 random bytes, hex). */
export function freshNonce(): string {
  return randomBytes(NONCE_HEX / 2).toString('hex');
}

function mac(secret: string, label: string, first: string, second: string): string {
  return createHmac('sha256', secret).update(`regvault/helper/${label}\0${first}\0${second}`).digest('hex');
}

/** The server's proof for a helper's nonce. */
export function proveServer(secret: string, hello: string, nonce: string): string {
  return mac(secret, 'server', hello, nonce);
}

/** The helper's proof, once the server proved itself. */
export function proveClient(secret: string, hello: string, nonce: string): string {
  return mac(secret, 'client', nonce, hello);
}

/** Compares two hex proofs in constant time. */
export function sameProof(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
}

/** A new Windows pipe name: `\\.\pipe\regvault-` + 128 random bits (kept in the user-only folder). */
export function newPipeName(random: (size: number) => Buffer = randomBytes): string {
  return `\\\\.\\pipe\\regvault-${random(16).toString('hex')}`;
}

const pipeNamePattern = /^\\\\\.\\pipe\\regvault-[0-9a-f]{32}$/;

/** The pipe name a file holds, or null when it holds anything else (the helper then reports "not running"). */
export function readPipeName(text: string): string | null {
  const name = text.trim();
  return pipeNamePattern.test(name) ? name : null;
}

/** What a socket's owner check needs: the uid of the file and folder, and this process's uid. */
export type OwnerFacts = Readonly<{ socketUid: number; dirUid: number; dirMode: number; isSocket: boolean }>;

/** Whether a Unix socket may be trusted: a socket, and it and its 0700 folder belong to this user. */
export function socketOwnedBy(facts: OwnerFacts, uid: number): boolean {
  return facts.isSocket && facts.socketUid === uid && facts.dirUid === uid && (facts.dirMode & 0o077) === 0;
}
