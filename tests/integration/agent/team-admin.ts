// The admin's side of the pipeline journey, as an engine client doing what the app's invite desk and
// member removal do: a team vault named by its admin with one registry credential, an invitation for
// a pipeline (Service, Viewer), completing the agent's join from the relay's mailbox, rotating the
// password, and removing the agent (which moves the vault to a new key).
import { randomUUID } from 'node:crypto';
import { decodeBase64, encodeBase64 } from '../../../shared/crypto/bytes';
import { addEntry, editEntry } from '../../../shared/entries';
import {
  createInvitation,
  encodeInvitationCode,
  invitationId,
  invitationPairing,
  openJoinRequest,
  type Invitation,
} from '../../../shared/sync/invitation';
import { fetchInvitations, openInvitationMailbox, type RelayReach } from '../../../shared/sync/invitation-client';
import { systemClock } from '../../../shared/sync/ports';
import { recipientsOf, writeCard, writeVaultName } from '../../../shared/team/people';
import { valueOf } from '../../../shared/test-result';
import { createTestVault, startLinkedClients, type RestartableClient, type TestVault } from '../sync/clients';
import { connectNodeSocket, nodeRandom, waitSynced } from '../sync/harness';
import { sealKeptInvitation } from '../../../shared/sync/invitation-keep';

/** A running admin of a team vault with one credential. */
export type TeamAdmin = Readonly<{
  vault: TestVault;
  client: RestartableClient;
  vaultName: string;
  adminName: string;
  entryId: string;
  relayUrl: string;
}>;

/** The credential the vault starts with. */
export type StartCredential = Readonly<{ registry: string; username: string; password: string }>;

const ctx = (actor: string) => ({ now: () => Date.now(), newId: () => randomUUID(), actor });

/** Creates the vault on `relayUrls[0]` (its engine fails over to the others), names it and adds the credential. */
export async function startTeamAdmin(
  relayUrls: readonly string[],
  credential: StartCredential,
  names = { vault: 'Production', admin: 'Alice' },
): Promise<TeamAdmin> {
  const [relayUrl = ''] = relayUrls;
  const vault = await createTestVault();
  const [client] = await startLinkedClients({ relayUrl, vault, extra: 0, relayUrlsFor: () => relayUrls });
  if (!client) throw new Error('the admin did not start');
  const doc = client.client.doc;
  const me = encodeBase64(vault.owner.publicKey);
  writeVaultName(doc, names.vault);
  writeCard(doc, me, {
    name: names.admin,
    person: 'alice',
    since: Date.now(),
    box: encodeBase64(vault.owner.boxKeys.publicKey),
  });
  const entry = valueOf(
    addEntry(
      doc,
      {
        registry: credential.registry,
        name: 'CI registry',
        username: credential.username,
        secret: credential.password,
      },
      ctx(me),
    ),
  );
  await waitSynced(client.client.engine);
  return { vault, client, vaultName: names.vault, adminName: names.admin, entryId: entry.id, relayUrl };
}

function reachOf(admin: TeamAdmin): RelayReach {
  return { relayUrl: admin.relayUrl, connect: connectNodeSocket, device: admin.vault.owner, clock: systemClock };
}

/** An invitation for a pipeline ("This is a pipeline or service"), as a Viewer, with its mailbox open. */
export async function inviteService(admin: TeamAdmin): Promise<Readonly<{ invitation: Invitation; code: string }>> {
  const invitation = createInvitation(
    {
      relayUrl: admin.relayUrl,
      vaultId: admin.vault.vaultId,
      vaultName: admin.vaultName,
      inviterName: admin.adminName,
      role: 'reader',
      inviterKey: encodeBase64(admin.vault.owner.publicKey),
      service: true,
    },
    nodeRandom,
    Date.now(),
  );
  valueOf(
    await openInvitationMailbox(reachOf(admin), {
      vault: admin.vault.vaultId,
      invitation: invitationId(invitation.secret),
      expiresAt: invitation.expiresAt,
      keep: sealKeptInvitation({ invitation, autoConfirm: false }, admin.vault.owner.boxKeys.publicKey, nodeRandom),
    }),
  );
  return { invitation, code: encodeInvitationCode(invitation) };
}

/** Completes the join request waiting in the invitation's mailbox, as the admin's app does; returns the device key. */
export async function admitJoin(admin: TeamAdmin, invitation: Invitation): Promise<string> {
  const items = valueOf(await fetchInvitations(reachOf(admin), admin.vault.vaultId));
  const item = items.find((i) => i.invitation === invitationId(invitation.secret));
  if (item?.state !== 'joined' || !item.request)
    throw new Error(`no join request in the mailbox: ${JSON.stringify(items)}`);
  const card = openJoinRequest(invitation, item.request);
  if (!card) throw new Error('the join request does not open');
  const pairing = invitationPairing(invitation);
  const identity = { signing: decodeBase64(item.request.device), box: decodeBase64(item.request.box) };
  valueOf(
    await admin.client.client.engine.authorizeDevice(
      { identity, secret: pairing.secret, expiresAt: pairing.expiresAt },
      invitation.role,
    ),
  );
  const since = Date.now();
  writeCard(admin.client.client.doc, item.request.device, {
    ...card,
    since,
    addedBy: encodeBase64(admin.vault.owner.publicKey),
    box: item.request.box,
    ...(invitation.service ? { service: true as const } : {}),
  });
  await waitSynced(admin.client.client.engine);
  return item.request.device;
}

/** Replaces the credential's password in the vault and waits until the relay holds it. */
export async function rotatePassword(admin: TeamAdmin, password: string): Promise<void> {
  valueOf(
    editEntry(
      admin.client.client.doc,
      admin.entryId,
      { secret: password },
      ctx(encodeBase64(admin.vault.owner.publicKey)),
    ),
  );
  await waitSynced(admin.client.client.engine);
}

/** Removes a member device, moving the vault to a new key sealed to the remaining members. */
export async function removeMember(admin: TeamAdmin, deviceKey: string): Promise<number> {
  const engine = admin.client.client.engine;
  // After a relay restart the admin's engine reconnects by itself; removing needs it live.
  await waitSynced(engine);
  const me = encodeBase64(admin.vault.owner.publicKey);
  const remaining = engine
    .members()
    .map((m) => m.publicKey)
    .filter((k) => k !== deviceKey && k !== me);
  const report = valueOf(
    await engine.rotateKey({
      remove: [decodeBase64(deviceKey)],
      recipients: recipientsOf(admin.client.client.doc, remaining),
    }),
  );
  await waitSynced(engine);
  return report.epoch;
}
