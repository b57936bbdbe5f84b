import { untrack } from 'svelte';
import { findReuse, reuseKey, type ReuseFinding, type ReuseItem } from '../../../../shared/entries/reuse';
import { encodeBase64 } from '../../../../shared/crypto/bytes';
import type { VaultEntries } from '../refresh/profile-entries.svelte';

/**
 * Secret reuse across every vault of the unlocked profile (docs/security.md, "Reuse"): each secret is compared by
 * HMAC-SHA-256 under a key made for this session inside WebCrypto (not extractable), so the comparison holds
 * neither a secret nor a stable hash of one; the digests live in memory only and go nowhere — not to IndexedDB, not
 * into a vault document, not to main.
 */
export class SecretReuse {
  findings = $state.raw<ReadonlyMap<string, ReuseFinding>>(new Map());
  private key: Promise<CryptoKey> | null = null;
  private readonly digests = new Map<string, Readonly<{ secret: string; digest: string }>>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly vaults: () => readonly VaultEntries[]) {}

  /** What an entry shares, if anything. */
  of(vaultId: string, entryId: string): ReuseFinding | undefined {
    return this.findings.get(reuseKey(vaultId, entryId));
  }

  /** True when the entry's secret is also in another vault. */
  isReused(vaultId: string, entryId: string): boolean {
    return (this.of(vaultId, entryId)?.otherVaults.length ?? 0) > 0;
  }

  /** Compares again whenever any vault's entries change; returns the stop function (on lock: the key goes). */
  watch(): () => void {
    this.stopped = false;
    const stop = $effect.root(() => {
      $effect(() => {
        void this.vaults();
        untrack(() => void this.compare());
      });
    });
    return () => {
      this.stopped = true;
      stop();
      this.key = null;
      this.digests.clear();
      this.findings = new Map();
    };
  }

  /** Compares every vault's entries now; calls made while one runs fold into one more run. */
  compare(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.compare();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const key = await (this.key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    const items: ReuseItem[] = [];
    const live = new Set<string>();
    for (const { vaultId, entries } of this.vaults()) {
      for (const entry of entries) {
        const slot = reuseKey(vaultId, entry.id);
        live.add(slot);
        items.push({
          vaultId,
          entryId: entry.id,
          registry: entry.registry,
          username: entry.username,
          digest: await this.digestOf(key, slot, entry.secret),
        });
      }
    }
    for (const slot of this.digests.keys()) if (!live.has(slot)) this.digests.delete(slot);
    if (!this.stopped) this.findings = findReuse(items);
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
