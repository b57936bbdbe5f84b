// Subscribe amplification: a member asking again and again for a catch-up from the start makes the relay
// re-read and re-send the whole log each time. The ledger remembers, per member device and vault, the
// head this node already delivered; a catch-up from that position or later (a reconnect) is always
// served, one from before it — a re-read of what the device already received — counts against
// `perHour` (a device that really lost its copy, e.g. after "Reset sync", needs only one). Per relay
// node and in memory: a restart or another node starts afresh, so with N nodes a member gets at most
// N × perHour re-reads an hour (docs/relay.md).
const HOUR_MS = 60 * 60_000;

type Seen = { delivered: number; reads: number[] };

/** Creates the ledger: `perHour` re-reads per member and vault, at most `maxTracked` pairs remembered. */
export function createCatchUpLedger(perHour: number, now: () => number, maxTracked = 100_000) {
  const seen = new Map<string, Seen>();
  const keyOf = (device: string, vault: string) => `${vault}\n${device}`;
  return {
    /** Whether a catch-up from `from` may be served now (a re-read is counted when it is). */
    allow: (device: string, vault: string, from: number): boolean => {
      const entry = seen.get(keyOf(device, vault));
      if (!entry || from >= entry.delivered) return true;
      const at = now();
      entry.reads = entry.reads.filter((t) => t > at - HOUR_MS);
      if (entry.reads.length >= perHour) return false;
      entry.reads.push(at);
      return true;
    },
    /** Notes that the device now holds the vault up to `head`. */
    delivered: (device: string, vault: string, head: number): void => {
      const key = keyOf(device, vault);
      const entry = seen.get(key) ?? { delivered: 0, reads: [] };
      entry.delivered = Math.max(entry.delivered, head);
      // Most recently used last: the oldest pair is forgotten first (it then starts afresh).
      seen.delete(key);
      seen.set(key, entry);
      if (seen.size > maxTracked) seen.delete(seen.keys().next().value ?? key);
    },
  };
}

/** The ledger of one relay node. */
export type CatchUpLedger = ReturnType<typeof createCatchUpLedger>;
