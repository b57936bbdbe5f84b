// Per-device quotas (issue #11, item 4): how many vaults a device may create, how many member records
// a vault may hold, and how many ciphertext bytes a device's envelopes and snapshots may keep here.
// Usage is counted up as writes are accepted and recounted from the store only near the limit, so
// the common case costs one addition and pruning behind a snapshot is never missed for long. With
// several relay nodes each counts what it accepted on top of the store's sum at its last recount.
import type { RelayStore } from './store';

/** The quota limits of one relay. */
export type Quotas = Readonly<{
  vaultsPerDevice: number;
  membersPerVault: number;
  bytesPerDevice: number;
  /** Open invitation mailboxes one admin device may hold (besides 50 per vault). */
  invitationsPerDevice: number;
}>;

/** Defaults: far above one team's use, small enough that one key cannot fill the disk. */
export const defaultQuotas: Quotas = {
  vaultsPerDevice: 1000,
  membersPerVault: 10_000,
  bytesPerDevice: 1024 * 1024 * 1024,
  invitationsPerDevice: 200,
};

/** Tracks bytes per device (base64 key); the answer to each check is exact when it says no. */
export function createByteQuota(store: RelayStore, limit: number) {
  const used = new Map<string, number>();
  const fits = (deviceKey: string, current: number, bytes: number) => {
    if (current + bytes > limit) {
      used.set(deviceKey, current);
      return false;
    }
    used.set(deviceKey, current + bytes);
    return true;
  };
  return {
    /** Counts `bytes` for the device if they fit under its quota; false (nothing counted) when not. */
    take: async (deviceKey: string, device: Uint8Array, bytes: number): Promise<boolean> => {
      const known = used.get(deviceKey);
      // The common case stays synchronous up to here: one addition.
      if (known !== undefined && known + bytes <= limit) return fits(deviceKey, known, bytes);
      // Recounted: pruned rows no longer count.
      const current = await store.bytesStoredBy(device);
      return fits(deviceKey, current, bytes);
    },
  };
}

/** The byte quota tracker. */
export type ByteQuota = ReturnType<typeof createByteQuota>;
