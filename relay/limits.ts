// The relay's resource limits (issue #11, item 4): what a stranger can make it hold or do before
// proving a device key, and what one address or device can take. Every number is a relay option
// (relay/config.ts) with a default that an honest client never meets.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { publicKeySchema } from '../shared/sync/wire-records';
import { defaultQuotas, type Quotas } from './quotas';

/** The limits one relay process enforces. */
export type RelayLimits = Readonly<{
  /** A connection that has not authenticated by then is closed. */
  authDeadlineMs: number;
  /** Frames before authentication are at most this big (a real `auth` frame is ~300 bytes). */
  preAuthFrameBytes: number;
  /** Open connections from one remote address (every device behind one NAT counts here). */
  maxConnectionsPerAddress: number;
  /** Authenticated connections of one device key (one per synced vault, plus linking). */
  maxConnectionsPerDevice: number;
  /** Sustained frames per second per connection; bursts up to 10 s worth are let through. 0: no limit. */
  messagesPerSecond: number;
  /** Device keys (canonical base64) allowed to authenticate; null: any key. */
  allowedDevices: ReadonlySet<string> | null;
  /** Vaults kept in memory; the least recently used one without subscribers is dropped beyond it. */
  maxCachedVaults: number;
  /**
   * Catch-ups from the start of a vault's log (a subscribe with `from` 0 while the vault holds more) one
   * member may ask for per hour; beyond it the relay answers 2013 until the hour has passed.
   */
  fullCatchUpsPerHour: number;
  /** Per-device quotas (relay/quotas.ts). */
  quotas: Quotas;
}>;

/** Defaults: far above an honest client (the engine batches edits), far below what exhausts the relay. */
export const defaultLimits: RelayLimits = {
  authDeadlineMs: 10_000,
  preAuthFrameBytes: 4096,
  maxConnectionsPerAddress: 256,
  maxConnectionsPerDevice: 64,
  messagesPerSecond: 2000,
  allowedDevices: null,
  maxCachedVaults: 10_000,
  fullCatchUpsPerHour: 30,
  quotas: defaultQuotas,
};

const keyLine = publicKeySchema;

/**
 * Reads an allow-list file: one device key (base64, as the app shows it) per line; blank lines and
 * `#` comments are ignored. A malformed line stops the relay from starting, naming the line.
 */
export function readAllowedDevices(path: string): ReadonlySet<string> {
  const keys = new Set<string>();
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') return;
      if (!keyLine.safeParse(line).success) {
        throw new Error(`${path}:${index + 1}: not a device key (44 characters of base64)`);
      }
      keys.add(line);
    });
  return keys;
}

/** Counts open connections per key (address or device) against a maximum. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `key`; false when it already holds the maximum. */
  take(key: string): boolean {
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) return false;
    this.open.set(key, count + 1);
    return true;
  }

  /** Gives back a slot taken for `key`. */
  release(key: string): void {
    const count = (this.open.get(key) ?? 0) - 1;
    if (count <= 0) this.open.delete(key);
    else this.open.set(key, count);
  }
}

/** A token bucket: `rate` frames a second, bursts of up to 10 seconds' worth. */
export function createRateLimiter(rate: number, now: () => number): () => boolean {
  if (rate <= 0) return () => true;
  const capacity = rate * 10;
  let tokens = capacity;
  let last = now();
  return () => {
    const time = now();
    tokens = Math.min(capacity, tokens + ((time - last) / 1000) * rate);
    last = time;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Schema of the limit options as they come from flags or the environment. */
export const limitOptionsSchema = z.object({
  authDeadlineMs: z.coerce.number().int().min(100).max(600_000),
  preAuthFrameBytes: z.coerce.number().int().min(512).max(1_048_576),
  maxConnectionsPerAddress: z.coerce.number().int().min(1).max(1_000_000),
  maxConnectionsPerDevice: z.coerce.number().int().min(1).max(1_000_000),
  messagesPerSecond: z.coerce.number().int().min(0).max(10_000_000),
  allowedDevices: z.string().min(1).nullable(),
  maxCachedVaults: z.coerce.number().int().min(1).max(10_000_000),
  maxVaultsPerDevice: z.coerce.number().int().min(1).max(10_000_000),
  maxMembersPerVault: z.coerce.number().int().min(1).max(10_000_000),
  maxBytesPerDevice: z.coerce.number().int().min(1024).max(Number.MAX_SAFE_INTEGER),
  maxInvitationsPerDevice: z.coerce.number().int().min(1).max(10_000_000),
  fullCatchUpsPerHour: z.coerce.number().int().min(1).max(10_000_000),
});
