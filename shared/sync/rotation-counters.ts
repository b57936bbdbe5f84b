// The counters a `rotate` record fixes (protocol v5, docs/protocol.md §7c). A rotation ends the old epoch,
// but an envelope naming a position before it still opens with the old key — which removed devices hold.
// So the record names, for every key that may still write under the old epoch, the counter it had
// reached on the relay (the relay checks each one); an envelope naming a position before the rotation is
// valid only up to its author's counter there. Relay and peers apply the same rule (member-standing.ts).
import { decodeBase64, encodeBase64 } from '../crypto/bytes';
import type { RotationCounter } from './canonical';
import type { Role } from './wire-records';

/** Wire form of the counters: base64 keys. */
export type WireRotationCounters = readonly Readonly<{ device: string; counter: number }>[];

/** The keys a `rotate` record must name: every writer now, and every former writer (frozen) — any that could still sign under the old epoch. */
export function keysThatMayWrite(
  roles: ReadonlyMap<string, Role>,
  frozen: ReadonlyMap<string, number>,
  canWrite: (role: Role | undefined) => boolean,
): string[] {
  const keys = new Set(frozen.keys());
  for (const [key, role] of roles) if (canWrite(role)) keys.add(key);
  return [...keys];
}

/** The counters in the record's canonical order (ascending key bytes), from a key → counter lookup. */
export function orderRotationCounters(
  keys: readonly string[],
  counterOf: (key: string) => number,
): WireRotationCounters {
  return keys
    .map((key) => ({ key, bytes: decodeBase64(key) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map(({ key }) => ({ device: key, counter: counterOf(key) }));
}

/** Decodes wire counters into the fields the signature covers. */
export function decodeRotationCounters(wire: WireRotationCounters): RotationCounter[] {
  return wire.map((entry) => ({ device: decodeBase64(entry.device), counter: entry.counter }));
}

/** Encodes signed counters for the wire. */
export function encodeRotationCounters(counters: readonly RotationCounter[]): WireRotationCounters {
  return counters.map((entry) => ({ device: encodeBase64(entry.device), counter: entry.counter }));
}

/**
 * Why a `rotate` record's counters are refused, or null: keys strictly ascending, exactly the keys that may
 * still write, and a frozen key's counter not above its frozen one. Returns the lookup peers judge by.
 */
export function checkRotationCounters(
  counters: readonly RotationCounter[],
  expected: readonly string[],
  frozen: ReadonlyMap<string, number>,
): ReadonlyMap<string, number> | string {
  const byKey = new Map<string, number>();
  let previous: Uint8Array | null = null;
  for (const entry of counters) {
    if (previous && compareBytes(previous, entry.device) >= 0)
      return 'a rotate record lists its counters once per key, keys ascending';
    previous = entry.device;
    const key = encodeBase64(entry.device);
    const cap = frozen.get(key);
    if (cap !== undefined && entry.counter > cap)
      return 'a rotate record names a counter above a former writer’s frozen one';
    byKey.set(key, entry.counter);
  }
  if (byKey.size !== expected.length || expected.some((key) => !byKey.has(key)))
    return 'a rotate record names the counter of every key that may still write, and no other';
  return byKey;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}
