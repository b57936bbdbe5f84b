// Brings this node's vault cache up to date with what other relay nodes committed: envelopes are
// read from the table and fanned out in order (fanout.ts), member records are re-read and applied,
// a newer snapshot position is adopted. Notifications are hints: a periodic resync re-reads the
// positions of every cached vault, so a lost notification delays a change and never loses it.
import { encodeRelayFrame } from '../shared/sync/wire-frames';
import type { RelayContext } from './context';
import { adoptMemberRecords } from './member-handlers';
import type { RelayStore, RemoteChange, VaultPositions } from './store';
import type { VaultState } from './vaults';

/** Follows other nodes' changes; returns a function that stops the periodic resync. */
export function followRemoteChanges(ctx: RelayContext, resyncMs: number, onError: (error: unknown) => void) {
  const apply = (change: RemoteChange) => applyChange(ctx, change).catch(onError);
  ctx.store.watch((change) => void apply(change));
  const timer = setInterval(() => void apply({ kind: 'resync' }), resyncMs);
  timer.unref();
  return () => clearInterval(timer);
}

async function applyChange(ctx: RelayContext, change: RemoteChange): Promise<void> {
  if (change.kind === 'resync') return resync(ctx);
  const vault = ctx.vaults.peek(change.vault);
  if (!vault) return; // not cached here: loaded fresh from the store when next used
  if (change.kind === 'env') return ctx.fanout.heard(vault, change.head);
  if (change.kind === 'snap') return adoptSnapshot(vault, change.seq);
  await catchUpMembers(ctx.store, vault);
}

/** Reads the member records other nodes appended to a cached vault and applies them (subscribers hear of each). */
export async function catchUpMembers(store: RelayStore, vault: VaultState): Promise<void> {
  adoptMemberRecords(vault, await store.memberRecords(vault.id, vault.records.length));
}

function adoptSnapshot(vault: VaultState, seq: number): void {
  if (seq <= vault.snapshotSeq) return;
  vault.snapshotSeq = seq;
  const text = encodeRelayFrame({ t: 'snapshotted', vault: vault.id, seq });
  for (const subscriber of vault.subscribers) subscriber.sendText(text);
}

async function resync(ctx: RelayContext): Promise<void> {
  const cached = [...ctx.vaults.cached()];
  if (cached.length === 0) return;
  const positions = await ctx.store.positions(cached.map((vault) => vault.id));
  await Promise.all(positions.map((position) => catchUpWith(ctx, position)));
}

async function catchUpWith(ctx: RelayContext, position: VaultPositions): Promise<void> {
  const vault = ctx.vaults.peek(position.vault);
  if (!vault) return;
  if (position.members > vault.records.length) await catchUpMembers(ctx.store, vault);
  adoptSnapshot(vault, position.snapshotSeq);
  ctx.fanout.heard(vault, position.head);
}
