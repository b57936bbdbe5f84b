/**
 * The keyed digests behind the Reused badge: HMAC-SHA-256 under a key generated inside WebCrypto for this session
 * (not extractable), one digest per entry, recomputed only when its secret changes. Memory only. A comparison
 * after an edit re-examines only the entries that changed and those sharing a digest with them, so a vault of
 * 10,000 entries pays for one hash and one small group, not for the whole profile (bench/reuse.ts).
 */
import type { Entry } from '../../../../shared/entries';
import { findReuse, reuseKey, type ReuseFinding, type ReuseItem } from '../../../../shared/entries/reuse';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import type { VaultEntries } from '../refresh/profile-entries.svelte';

/** No reuse found (yet). */
export const noReuse: ReadonlyMap<string, ReuseFinding> = new Map();

/** One entry as last compared: the decoded entry it was (entries are immutable values) and its digest. */
type Slot = Readonly<{ item: ReuseItem; entry: Entry }>;

/** A session's HMAC key, the digest of each entry's secret under it, and what the digests say. */
export class ReuseDigests {
  private key: Promise<CryptoKey> | null = null;
  private readonly slots = new Map<string, Slot>();
  private readonly byDigest = new Map<string, Set<string>>();
  private readonly findings = new Map<string, ReuseFinding>();

  /** The digests held, base64 (for the test that proves none of them reaches storage). */
  held(): readonly string[] {
    return [...this.slots.values()].map((slot) => slot.item.digest);
  }

  /** Compares every vault's entries: digests made for new secrets (all at once), entries gone dropped. */
  async compare(vaults: readonly VaultEntries[]): Promise<ReadonlyMap<string, ReuseFinding>> {
    const key = await (this.key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    const live = new Set<string>();
    const changed: { slot: string; vaultId: string; entry: Entry }[] = [];
    for (const { vaultId, entries } of vaults) {
      for (const entry of entries) {
        const slot = reuseKey(vaultId, entry.id);
        live.add(slot);
        if (this.slots.get(slot)?.entry !== entry) changed.push({ slot, vaultId, entry });
      }
    }
    const touched = new Set<string>();
    for (const slot of [...this.slots.keys()]) if (!live.has(slot)) this.drop(slot, touched);
    const hashed = await Promise.all(
      changed.map(async (change) => ({ ...change, digest: await this.digestOf(key, change) })),
    );
    for (const { slot, vaultId, entry, digest } of hashed) {
      this.drop(slot, touched);
      const item = { vaultId, entryId: entry.id, registry: entry.registry, username: entry.username, digest };
      this.slots.set(slot, { item, entry });
      const group = this.byDigest.get(digest);
      if (group === undefined) this.byDigest.set(digest, new Set([slot]));
      else group.add(slot);
      touched.add(digest);
    }
    for (const digest of touched) this.judgeGroup(digest);
    return this.findings.size === 0 ? noReuse : new Map(this.findings);
  }

  /** Forgets the key, every digest and every finding (on lock). */
  clear(): void {
    this.key = null;
    this.slots.clear();
    this.byDigest.clear();
    this.findings.clear();
  }

  /** The digest of a changed entry: the one it had when only its other fields changed, else a new hash. */
  private async digestOf(key: CryptoKey, change: Readonly<{ slot: string; entry: Entry }>): Promise<string> {
    const known = this.slots.get(change.slot);
    if (known?.entry.secret === change.entry.secret) return known.item.digest;
    const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(change.entry.secret));
    return encodeBase64(new Uint8Array(mac));
  }

  private drop(slot: string, touched: Set<string>): void {
    const known = this.slots.get(slot);
    if (known === undefined) return;
    this.slots.delete(slot);
    this.findings.delete(slot);
    const group = this.byDigest.get(known.item.digest);
    group?.delete(slot);
    if (group?.size === 0) this.byDigest.delete(known.item.digest);
    touched.add(known.item.digest);
  }

  /** Re-reads what the entries sharing one digest share. */
  private judgeGroup(digest: string): void {
    const slots = [...(this.byDigest.get(digest) ?? [])];
    const found = findReuse(slots.flatMap((slot) => this.slots.get(slot)?.item ?? []));
    for (const slot of slots) {
      const finding = found.get(slot);
      if (finding === undefined) this.findings.delete(slot);
      else this.findings.set(slot, finding);
    }
  }
}
