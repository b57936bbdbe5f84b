// The engine's vault keys by epoch (protocol v4): which key seals and opens what, fetching this device's
// grant when the member log moves to an epoch it holds no key for (engine-local.ts seals queued envelopes
// of an older epoch again under the new key).
import { currentCursor, type EngineCore } from './engine-core';
import { currentEpoch, matchesCommitment } from './epochs';
import type { VaultKey } from './envelope';
import { openKeyGrant } from './grants';

/**
 * The key of `epoch`, if this device holds it — and, once the log has that epoch's `rotate` record, it
 * is the key the record committed to (a key from a refused rotation is dropped, never used).
 */
export function keyOf(core: EngineCore, epoch: number): VaultKey | undefined {
  const key = core.keys.get(epoch);
  if (!key) return undefined;
  if (epoch <= currentEpoch(core.memberState) && !matchesCommitment(core.memberState, epoch, key)) {
    core.keys.delete(epoch);
    return undefined;
  }
  return { epoch, key };
}

/** The key new envelopes and snapshots are sealed under: the verified log's current epoch, if held. */
export function sealingKey(core: EngineCore): VaultKey | undefined {
  return keyOf(core, currentEpoch(core.memberState));
}

/**
 * The key of `epoch`, fetching this device's grants from the relay when it is missing (a rotation while it
 * was away, or older epochs a device linked later never had). Undefined when no grant holds it.
 */
export async function ensureKey(core: EngineCore, epoch: number): Promise<VaultKey | undefined> {
  const held = keyOf(core, epoch);
  if (held) return held;
  await fetchKeys(core);
  return keyOf(core, epoch);
}

async function fetchKeys(core: EngineCore): Promise<void> {
  const { session } = core;
  const boxKeys = core.options.boxKeys;
  if (!session || !boxKeys) return;
  core.fetchingKeys ??= (async () => {
    const answer = await session.request({ t: 'grants' });
    if (answer.t !== 'grant-list') return;
    let added = false;
    for (const item of answer.items) {
      if (item.grant.vault !== core.options.vaultId) continue;
      const opened = await openKeyGrant({
        grant: item.grant,
        members: core.memberState,
        device: core.options.device.publicKey,
        boxKeys,
        verify: core.options.verify,
      });
      if (!opened.ok) continue;
      for (const [epoch, key] of opened.value.ring) {
        if (!core.keys.has(epoch)) added = true;
        core.keys.set(epoch, key);
      }
    }
    if (added) await core.writer.commit({ cursor: currentCursor(core) });
  })().finally(() => {
    core.fetchingKeys = null;
  });
  await core.fetchingKeys.catch(() => undefined);
}
