import { untrack } from 'svelte';
import { reuseKey, type ReuseFinding } from '../../../../shared/entries/reuse';
import type { VaultEntries } from '../refresh/profile-entries.svelte';
import { noReuse, ReuseDigests } from './reuse-digests';

/**
 * Secret reuse across every vault of the unlocked profile (docs/login-check.md, "Reuse and last use"): each secret
 * is compared by HMAC under a key made for this session inside WebCrypto, so the comparison holds neither a secret
 * nor a stable hash of one; the digests live in memory only and go nowhere — not to IndexedDB, not into a vault
 * document, not to main.
 */
export class SecretReuse {
  findings = $state.raw<ReadonlyMap<string, ReuseFinding>>(noReuse);
  readonly digests = new ReuseDigests();
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
      this.digests.clear();
      this.findings = noReuse;
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
    const findings = await this.digests.compare(this.vaults());
    if (!this.stopped) this.findings = findings;
  }
}
