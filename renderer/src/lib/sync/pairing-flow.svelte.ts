// The two halves of pairing as the dialogs show them. The new device shows a one-time code and
// receives what was granted through it; the device that has the vault pastes that code. Both end
// with the same fingerprint on screen, for the user to compare.
import type { RefusedGrant } from '../../../../shared/sync/link';
import { DEFAULT_RELAY_URL } from '../vault-db';
import type { ReceivedVault } from './receive-vaults';
import type { SyncManager } from './sync-manager.svelte';

/** Says why offered grants were not added, naming the signing key so an unexpected one stands out. */
export function describeRefused(refused: readonly RefusedGrant[]): string {
  const reasons = refused.map((grant) => `${grant.reason} (signed by key ${grant.signer})`);
  return `A vault was offered to this device but not added: ${reasons.join('; ')}. If you did not link it yourself, ignore it.`;
}

/** "Link to another device", on the new device: the code it shows and what receiving brought. */
export class ReceiveFlow {
  readonly code: string;
  readonly expiresAt: number;
  relayUrl = $state(DEFAULT_RELAY_URL);
  busy = $state(false);
  message = $state<string | null>(null);
  /** The vaults added, each with the fingerprint to compare; empty until one arrived. */
  received = $state.raw<readonly ReceivedVault[]>([]);

  constructor(private readonly sync: SyncManager) {
    const shown = sync.startPairing();
    this.code = shown.code;
    this.expiresAt = shown.expiresAt;
  }

  async receive(): Promise<void> {
    this.busy = true;
    this.message = null;
    const result = await this.sync.receive(this.relayUrl);
    this.busy = false;
    if (!result.ok) this.message = result.error.message;
    else if (result.value.imported.length > 0) this.received = result.value.imported;
    else if (result.value.refused.length > 0) this.message = describeRefused(result.value.refused);
    else {
      this.message =
        'No vault was shared with this device yet: paste the code above into Link device on the other device first.';
    }
  }
}

/** "Link device", on a device that has the vault: the pasted code and the fingerprint it gave. */
export class LinkFlow {
  code = $state('');
  error = $state<string | null>(null);
  fingerprint = $state<string | null>(null);
  busy = $state(false);

  constructor(
    private readonly sync: SyncManager,
    private readonly vaultId: string,
  ) {}

  /** A new code voids the result of the last one. */
  edit(code: string): void {
    this.code = code;
    this.fingerprint = null;
  }

  async link(): Promise<void> {
    this.busy = true;
    const result = await this.sync.link(this.vaultId, this.code);
    this.busy = false;
    this.error = result.ok ? null : result.error.message;
    this.fingerprint = result.ok ? result.value : null;
  }
}
