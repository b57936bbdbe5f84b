/**
 * Secret reuse across environments ("Never share registry credentials between environments"): which entries hold
 * the same secret as an entry of another vault, and which hold the same username and secret as another registry of
 * their own vault. Pure: it compares keyed digests (HMAC under a key that lives only in the unlocked session),
 * never the secrets themselves, and nothing it returns is stored or synced.
 */

/** One entry as the comparison sees it: where it is, its login, and the keyed digest of its secret. */
export type ReuseItem = Readonly<{
  vaultId: string;
  entryId: string;
  registry: string;
  username: string;
  digest: string;
}>;

/** What an entry shares: the other vaults holding its secret, and registries of its vault with the same login. */
export type ReuseFinding = Readonly<{ otherVaults: readonly string[]; sameLoginRegistries: readonly string[] }>;

/** The key of an entry in the findings. */
export function reuseKey(vaultId: string, entryId: string): string {
  return `${vaultId}\u0000${entryId}`;
}

function group<T>(items: readonly ReuseItem[], keyOf: (item: ReuseItem) => T): Map<T, ReuseItem[]> {
  const groups = new Map<T, ReuseItem[]>();
  for (const item of items) {
    const key = keyOf(item);
    const found = groups.get(key);
    if (found === undefined) groups.set(key, [item]);
    else found.push(item);
  }
  return groups;
}

/** Finds reuse among every vault's entries; only entries that share something are in the result. */
export function findReuse(items: readonly ReuseItem[]): ReadonlyMap<string, ReuseFinding> {
  const vaults = new Map<string, Set<string>>();
  const logins = new Map<string, Set<string>>();
  for (const same of group(items, (item) => item.digest).values()) {
    if (same.length < 2) continue;
    for (const item of same) {
      const others = same.filter((other) => other.vaultId !== item.vaultId).map((other) => other.vaultId);
      if (others.length > 0) vaults.set(reuseKey(item.vaultId, item.entryId), new Set(others));
    }
    for (const login of group(same, (item) => `${item.vaultId}\u0000${item.username}`).values()) {
      for (const item of login) {
        const registries = login.filter((other) => other.registry !== item.registry).map((other) => other.registry);
        if (registries.length > 0) logins.set(reuseKey(item.vaultId, item.entryId), new Set(registries));
      }
    }
  }
  const findings = new Map<string, ReuseFinding>();
  for (const key of new Set([...vaults.keys(), ...logins.keys()])) {
    findings.set(key, {
      otherVaults: [...(vaults.get(key) ?? [])].sort(),
      sameLoginRegistries: [...(logins.get(key) ?? [])].sort(),
    });
  }
  return findings;
}
