// The agent key: 32 random bytes that seal the agent state file (tweetnacl secretbox), shown once at
// join as `rvk1-` + base64url so a CI system can keep it as a secret (REGVAULT_AGENT_KEY).
import nacl from 'tweetnacl';
import type { RandomBytes } from '../shared/sync/ports';

const prefix = 'rvk1-';

/** A fresh agent key. */
export function createAgentKey(random: RandomBytes): Uint8Array {
  return random(nacl.secretbox.keyLength);
}

/** The text form of an agent key. */
export function encodeAgentKey(key: Uint8Array): string {
  return prefix + Buffer.from(key).toString('base64url');
}

/** Reads an agent key; null when the text is not one (typo, truncated, another secret). */
export function decodeAgentKey(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith(prefix)) return null;
  const body = trimmed.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) return null;
  const key = new Uint8Array(Buffer.from(body, 'base64url'));
  return key.length === nacl.secretbox.keyLength ? key : null;
}
