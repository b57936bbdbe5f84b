// One-shot operations around the engine: creating a vault's sync identity, and — on a device being
// linked — pulling the vault keys other devices sealed to it.
import nacl from 'tweetnacl';
import { encodeBase64 } from '../crypto/bytes';
import { errorCodes, SyncProtocolError } from './codes';
import type { VaultKey } from './envelope';
import { encodeDeviceCode, openKeyGrant, type DeviceIdentity } from './grants';
import { createGenesisRecord, verifyMemberLog } from './members';
import type { BoxKeyPair, Clock, ConnectSocket, DeviceSigner, RandomBytes, VerifySignature } from './ports';
import { openRelaySession } from './session';
import type { WireMemberRecord } from './wire-records';

/** A new vault's sync identity: its id, first key and genesis member record (pass as `members` to the engine). */
export type NewVault = Readonly<{ vaultId: string; vaultKey: VaultKey; genesis: WireMemberRecord }>;

/** Generates a random vault id (22 base64url characters, 128 bits). */
export function generateVaultId(random: RandomBytes): string {
  return encodeBase64(random(16)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Creates a vault: random id, random epoch-0 key, and the genesis record making this device its admin. */
export async function createVault(signer: DeviceSigner, random: RandomBytes): Promise<NewVault> {
  const vaultId = generateVaultId(random);
  const vaultKey = { epoch: 0, key: random(nacl.secretbox.keyLength) };
  return { vaultId, vaultKey, genesis: await createGenesisRecord(vaultId, signer) };
}

/** The code a device shows so another device can link it. */
export function showDeviceCode(signer: DeviceSigner, boxKeys: BoxKeyPair): string {
  const identity: DeviceIdentity = { signing: signer.publicKey, box: boxKeys.publicKey };
  return encodeDeviceCode(identity);
}

/** What `pullKeyGrants` needs. */
export type PullKeyGrantsInput = Readonly<{
  relayUrl: string;
  connect: ConnectSocket;
  device: DeviceSigner;
  boxKeys: BoxKeyPair;
  verify: VerifySignature;
  clock: Clock;
}>;

/** A vault this device was granted: its key and the verified member log to start the engine with. */
export type PulledVault = Readonly<{ vaultId: string; vaultKey: VaultKey; members: readonly WireMemberRecord[] }>;

/** What `pullKeyGrants` found: the vaults it could open, and the grants it refused with the reason. */
export type PulledGrants = Readonly<{
  vaults: readonly PulledVault[];
  refused: readonly Readonly<{ vaultId: string; reason: string }>[];
}>;

/** Fetches the key grants addressed to this device and opens those that verify. */
export async function pullKeyGrants(input: PullKeyGrantsInput): Promise<PulledGrants> {
  const session = await openRelaySession({
    url: input.relayUrl,
    connect: input.connect,
    signer: input.device,
    clock: input.clock,
  });
  try {
    const answer = await session.request({ t: 'grants' });
    if (answer.t !== 'grant-list')
      throw new SyncProtocolError(errorCodes.protocolViolation, `unexpected ${answer.t} answer`);
    const vaults: PulledVault[] = [];
    const refused: { vaultId: string; reason: string }[] = [];
    for (const item of answer.items) {
      const members = await verifyMemberLog(item.grant.vault, item.members, input.verify);
      if (typeof members === 'string') {
        refused.push({ vaultId: item.grant.vault, reason: members });
        continue;
      }
      const key = await openKeyGrant({
        grant: item.grant,
        members,
        device: input.device.publicKey,
        boxKeys: input.boxKeys,
        verify: input.verify,
      });
      if (typeof key === 'string') refused.push({ vaultId: item.grant.vault, reason: key });
      else vaults.push({ vaultId: item.grant.vault, vaultKey: key, members: item.members });
    }
    return { vaults, refused };
  } finally {
    session.close();
  }
}
