// `regvault agent join <code> --name "…"`: the agent's own device keys, the join request through the
// invitation's mailbox (like the app's Accept), then — once the admin's app completes the invitation —
// the vault's key grant, a first sync, and the state sealed under a fresh agent key (printed once).
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import { encodeBase64 } from '../shared/crypto/bytes';
import {
  decodeInvitationCode,
  invitationFingerprint,
  invitationPairing,
  sealJoinRequest,
  type Invitation,
} from '../shared/sync/invitation';
import { sendJoinRequest } from '../shared/sync/invitation-client';
import { pullKeyGrants, type PulledVault } from '../shared/sync/link';
import { systemClock } from '../shared/sync/ports';
import { checkRelayUrl } from '../shared/sync/relay-url';
import { ROLE_LABELS } from '../shared/team/roles';
import { createAgentKey, encodeAgentKey } from './agent-key';
import {
  createDeviceSecrets,
  openDevice,
  secretsOfState,
  storedSecrets,
  verifySignature,
  type AgentDevice,
} from './device';
import { describeAge } from './durations';
import { AgentError, exitCodes } from './exit-codes';
import type { Output } from './output';
import { connectSocket, nodeRandom } from './ports';
import { loadState, saveState, type StateLocation } from './state-file';
import type { AgentState } from './state-schema';
import { syncVault, SYNC_TIMEOUT_MS } from './vault-sync';

/** What `agent join` needs. */
export type JoinInput = Readonly<{
  code: string;
  name: string;
  statePath: string;
  /** An existing agent's key: the vault is added to its state (null: a new agent). */
  existingKey: Uint8Array | null;
  waitMs: number;
  output: Output;
}>;

const POLL_MS = 1500;

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function readInvitation(code: string): Invitation {
  const invitation = decodeInvitationCode(code, Date.now());
  if (invitation === 'malformed')
    throw new AgentError(
      exitCodes.join,
      'That is not an invitation code (rvi1-…): copy it again from the Invite dialog.',
    );
  if (invitation === 'expired')
    throw new AgentError(exitCodes.join, 'That invitation expired: ask the admin for a new one.');
  const relay = checkRelayUrl(invitation.relayUrl);
  if (!relay.ok) throw new AgentError(exitCodes.join, `The invitation's relay cannot be used: ${relay.error.message}`);
  return invitation;
}

async function waitForGrant(invitation: Invitation, device: AgentDevice, input: JoinInput): Promise<PulledVault> {
  const deadline = Date.now() + input.waitMs;
  const pairing = invitationPairing(invitation);
  let said = false;
  for (;;) {
    const pulled = await pullKeyGrants({
      relayUrl: invitation.relayUrl,
      connect: connectSocket,
      device,
      boxKeys: device.boxKeys,
      verify: verifySignature,
      clock: systemClock,
      pairings: [pairing],
    });
    const vault = pulled.ok ? pulled.value.vaults.find((v) => v.vaultId === invitation.vaultId) : undefined;
    if (vault) return vault;
    if (!said) {
      input.output.note(
        `Waiting for ${invitation.inviterName} to add this agent (their Regvault must be unlocked and online)…`,
      );
      said = true;
    }
    if (Date.now() + POLL_MS > deadline)
      throw new AgentError(
        exitCodes.join,
        `${invitation.inviterName} did not add this agent within ${describeAge(input.waitMs)}: ask them to open Regvault (unlocked, online) and run the join again with a new invitation, or wait longer with --wait.`,
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Joins a vault; returns the agent key's text when a new agent was made (print it once). */
export async function joinVault(
  input: JoinInput,
): Promise<Readonly<{ agentKey: string | null; state: AgentState; vaultName: string }>> {
  const invitation = readInvitation(input.code);
  const key = input.existingKey ?? createAgentKey(nodeRandom);
  const location: StateLocation = { path: input.statePath, key, inline: undefined };
  if (!input.existingKey && (await fileExists(input.statePath)))
    throw new AgentError(
      exitCodes.join,
      `An agent state already exists at ${input.statePath}: set REGVAULT_AGENT_KEY to add this vault to that agent, or give another --state.`,
    );
  const existing = input.existingKey ? await loadState(location) : null;
  if (existing?.vaults.some((v) => v.vaultId === invitation.vaultId))
    throw new AgentError(exitCodes.join, `This agent is already a member of '${invitation.vaultName}'.`);
  const secrets = existing ? secretsOfState(existing) : createDeviceSecrets(nodeRandom);
  const device = openDevice(secrets);
  const person = existing?.person ?? randomUUID();
  input.output.note(
    `${invitation.inviterName} invites this agent to '${invitation.vaultName}' as ${ROLE_LABELS[invitation.role]}.`,
  );
  // The digits cover this agent's own keys: the admin sees the same ones only for this agent's request.
  const joiner = { device: encodeBase64(device.publicKey), box: encodeBase64(device.boxKeys.publicKey) };
  input.output.note(
    `Fingerprint ${invitationFingerprint(invitation, joiner)}: the admin's app must show the same before Confirm.`,
  );
  const request = sealJoinRequest(
    invitation,
    { device: device.publicKey, box: device.boxKeys.publicKey, card: { name: input.name, person } },
    nodeRandom,
  );
  const reach = { relayUrl: invitation.relayUrl, connect: connectSocket, device, clock: systemClock };
  const sent = await sendJoinRequest(reach, request);
  if (!sent.ok)
    throw new AgentError(
      exitCodes.join,
      `The join request could not be sent: ${sent.error.message}. Check the relay address and try again.`,
    );
  const granted = await waitForGrant(invitation, device, input);
  input.output.note(`Added to '${invitation.vaultName}'. First sync…`);
  const synced = await syncVault(
    {
      vaultId: granted.vaultId,
      vaultName: invitation.vaultName,
      relayUrl: invitation.relayUrl,
      vaultKey: { epoch: granted.vaultKey.epoch, key: encodeBase64(granted.vaultKey.key) },
      members: granted.members,
    },
    device,
    SYNC_TIMEOUT_MS,
  );
  if (synced.kind !== 'synced')
    throw new AgentError(
      exitCodes.join,
      `The first sync of '${invitation.vaultName}' did not complete (${synced.kind === 'refused' ? synced.error.message : synced.kind}): run the join again with a new invitation.`,
    );
  const state: AgentState = {
    format: 'regvault-agent-state',
    v: 1,
    name: input.name,
    person,
    device: storedSecrets(secrets),
    vaults: [...(existing?.vaults ?? []), synced.vault],
  };
  await saveState(location, state, nodeRandom);
  return { agentKey: input.existingKey ? null : encodeAgentKey(key), state, vaultName: synced.vault.vaultName };
}
