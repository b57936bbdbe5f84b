/**
 * The keyed digests behind the Reused badge: HMAC-SHA-256 under a key generated inside WebCrypto for this session
 * (not extractable), one digest per entry, recomputed only when its secret changes. Memory only.
 */
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import { findReuse, reuseKey, type ReuseFinding, type ReuseItem } from '../../../../shared/entries/reuse';
import type { VaultEntries } from '../refresh/profile-entries.svelte';

/** No reuse found (yet). */
export const noReuse: ReadonlyMap<string, ReuseFinding> = new Map();

/** A session's HMAC key and the digest of each entry's secret under it. */
export class ReuseDigests {
  private key: Promise<CryptoKey> | null = null;
  private readonly digests = new Map<string, Readonly<{ secret: string; digest: string }>>();

  /** The number of digests held (tests check they exist only in memory). */
  get size(): number {
    return this.digests.size;
  }

  /** The digests held, base64 (for the test that proves none of them reaches storage). */
  held(): readonly string[] {
    return [...this.digests.values()].map((known) => known.digest);
  }

  /** Compares every vault's entries: digests made or reused, those of entries gone dropped. */
  async compare(vaults: readonly VaultEntries[]): Promise<ReadonlyMap<string, ReuseFinding>> {
    const key = await (this.key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    const items: ReuseItem[] = [];
    const live = new Set<string>();
    for (const { vaultId, entries } of vaults) {
      for (const entry of entries) {
        const slot = reuseKey(vaultId, entry.id);
        live.add(slot);
        const digest = await this.digestOf(key, slot, entry.secret);
        items.push({ vaultId, entryId: entry.id, registry: entry.registry, username: entry.username, digest });
      }
    }
    for (const slot of this.digests.keys()) if (!live.has(slot)) this.digests.delete(slot);
    return findReuse(items);
  }

  /** Forgets the key and every digest (on lock). */
  clear(): void {
    this.key = null;
    this.digests.clear();
  }

  private async digestOf(key: CryptoKey, slot: string, secret: string): Promise<string> {
    const known = this.digests.get(slot);
    if (known?.secret === secret) return known.digest;
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(secret));
    const digest = encodeBase64(new Uint8Array(mac));
    this.digests.set(slot, { secret, digest });
    return digest;
  }
}
