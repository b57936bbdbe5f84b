// The new device's half of pairing, after the key grants were pulled: adds each granted vault under a
// free local name, stores its verified member log and sync settings, and starts its engine.
import type { PulledGrants, PulledVault, RefusedGrant } from '../../../../shared/sync/link';
import { fail, ok, type Failure, type Result } from '../../../../shared/result';
import type { SyncSettings, UnlockedProfile } from '../vault-db';

/** A vault "Receive vaults" added, with the fingerprint to compare with the device that linked it. */
export type ReceivedVault = Readonly<{ vaultId: string; fingerprint: string }>;

/** What "Receive vaults" did: the vaults added to this device, and grants not imported (with their signer). */
export type Received = Readonly<{ imported: readonly ReceivedVault[]; refused: readonly RefusedGrant[] }>;

/** Why receiving failed (the relay, the address or the store), in a sentence. */
export type ReceiveFailure = Failure<'receive-failed'>;

/** Name given to a vault received from another device (names are local; rename it after). */
const LINKED_VAULT_NAME = 'Linked vault';

/** What importing the pulled grants needs: the session, what was pulled, the relay settings and the engine starter. */
export type ReceiveContext = Readonly<{
  session: UnlockedProfile;
  pulled: PulledGrants;
  settings: SyncSettings;
  start: (vaultId: string) => Promise<void>;
  /** The local name to give (an invitation names its vault); else "Linked vault", numbered. */
  name?: string;
}>;

/** Adds the vaults not on this device yet; refusals for vaults already here are not news and are dropped. */
export async function importReceived(ctx: ReceiveContext): Promise<Result<Received, ReceiveFailure>> {
  const present = await ctx.session.listVaults();
  if (!present.ok) return fail('receive-failed', present.error.message);
  const names = new Set(present.value.map((v) => v.name));
  const here = new Set(present.value.map((v) => v.id));
  const refused = ctx.pulled.refused.filter((grant) => !here.has(grant.vaultId));
  const imported: ReceivedVault[] = [];
  for (const vault of ctx.pulled.vaults) {
    const base = ctx.name ?? LINKED_VAULT_NAME;
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base} ${n}`;
    const added = await addReceived(ctx, vault, name);
    if (!added.ok) return added;
    if (!added.value) continue;
    names.add(name);
    imported.push({ vaultId: vault.vaultId, fingerprint: vault.fingerprint });
  }
  return ok({ imported, refused });
}

// Imports one vault under `name`, stores its member log and settings, and starts its engine; false if already here.
async function addReceived(
  ctx: ReceiveContext,
  vault: PulledVault,
  name: string,
): Promise<Result<boolean, ReceiveFailure>> {
  const added = await ctx.session.importVault(vault.vaultId, vault.vaultKey, name);
  if (!added.ok) return fail('receive-failed', added.error.message);
  if (!added.value) return ok(false);
  const state = await ctx.session.syncState(vault.vaultId);
  if (!state.ok) return fail('receive-failed', state.error.message);
  try {
    await state.value.initialize(vault.members);
    await state.value.saveSettings(ctx.settings);
  } finally {
    state.value.wipe();
  }
  await ctx.start(vault.vaultId);
  return ok(true);
}
