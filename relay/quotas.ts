// Per-device quotas (issue #11, item 4): how many vaults a device may create, how many member records
// a vault may hold, and how many ciphertext bytes a device's envelopes and snapshots may keep here.
// Usage is counted up as writes are accepted and recounted from the store only near the limit, so
// the common case costs one addition and pruning behind a snapshot is never missed for long.
import type { RelayStore } from './store';

/** The quota limits of one relay. */
export type Quotas = Readonly<{ vaultsPerDevice: number; membersPerVault: number; bytesPerDevice: number }>;

/** Defaults: far above one team's use, small enough that one key cannot fill the disk. */
export const defaultQuotas: Quotas = {
  vaultsPerDevice: 1000,
  membersPerVault: 10_000,
  bytesPerDevice: 1024 * 1024 * 1024,
};

/** Tracks bytes per device (base64 key); the answer to each check is exact when it says no. */
export function createByteQuota(store: RelayStore, limit: number) {
  const used = new Map<string, number>();
  return {
    /** Counts `bytes` for the device if they fit under its quota; false (nothing counted) when not. */
    take: (deviceKey: string, device: Uint8Array, bytes: number): boolean => {
      let current = used.get(deviceKey) ?? store.bytesStoredBy(device);
      if (current + bytes > limit) current = store.bytesStoredBy(device); // pruned rows no longer count
      if (current + bytes > limit) {
        used.set(deviceKey, current);
        return false;
      }
      used.set(deviceKey, current + bytes);
      return true;
    },
  };
}

/** The byte quota tracker. */
export type ByteQuota = ReturnType<typeof createByteQuota>;
