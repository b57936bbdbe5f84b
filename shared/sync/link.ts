// One-shot operations around the engine: creating a vault's sync identity, and — on a device being
// linked — showing its pairing code and pulling the vault keys other devices sealed to it.
import nacl from 'tweetnacl';
import { encodeBase64 } from '../crypto/bytes';
import { catchSyncError, errorCodes, SyncProtocolError, type SyncFailure } from './codes';
import { fail, ok, type Failure, type Result } from '../result';
import type { VaultKey } from './envelope';
import { decodeGrant, openKeyGrant, type DeviceIdentity, type GrantRefusal } from './grants';
import { createGenesisRecord, verifyMemberLog } from './members';
import type { BoxKeyPair, Clock, ConnectSocket, DeviceSigner, RandomBytes, VerifySignature } from './ports';
import {
  encodePairingCode,
  keyFingerprint,
  matchPairing,
  pairingFingerprint,
  type Pairing,
  type PairingMismatch,
} from './pairing';
import { openRelayConnection } from './relay-connection';
import type { WireGrant, WireMemberRecord } from './wire-records';

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

/** The code a device shows so another device can link it: its public keys and the pairing's secret. */
export function showPairingCode(signer: DeviceSigner, boxKeys: BoxKeyPair, pairing: Pairing): string {
  const identity: DeviceIdentity = { signing: signer.publicKey, box: boxKeys.publicKey };
  return encodePairingCode(identity, pairing);
}

/** What `pullKeyGrants` needs. */
export type PullKeyGrantsInput = Readonly<{
  relayUrl: string;
  connect: ConnectSocket;
  device: DeviceSigner;
  boxKeys: BoxKeyPair;
  verify: VerifySignature;
  clock: Clock;
  /** The pairings this device started and has not used: only grants proving one of them are opened. */
  pairings: readonly Pairing[];
}>;

/** A vault this device was granted: its key, the verified member log, and the pairing it came through. */
export type PulledVault = Readonly<{
  vaultId: string;
  vaultKey: VaultKey;
  members: readonly WireMemberRecord[];
  /** The pairing the grant proved (mark it used), and the fingerprint to compare with the granting device. */
  pairingId: string;
  fingerprint: string;
  /** The signing key (base64) of the admin who granted it: an invitee takes only its inviter's grant. */
  signer: string;
}>;

/** A grant that was not imported: its vault, why, and the short fingerprint of the key that signed it. */
export type RefusedGrant = Readonly<{ vaultId: string; reason: string; signer: string }>;

/** What `pullKeyGrants` found: the vaults it could open, and the grants it refused with the reason. */
export type PulledGrants = Readonly<{ vaults: readonly PulledVault[]; refused: readonly RefusedGrant[] }>;

/**
 * Fetches the key grants addressed to this device and opens those that verify and prove one of `pairings`;
 * an unreachable or misbehaving relay comes back as a failure with its numbered code.
 */
export function pullKeyGrants(input: PullKeyGrantsInput): Promise<Result<PulledGrants, SyncFailure>> {
  return catchSyncError(() => fetchKeyGrants(input));
}

async function fetchKeyGrants(input: PullKeyGrantsInput): Promise<PulledGrants> {
  const session = await openRelayConnection({
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
    const refused: RefusedGrant[] = [];
    for (const item of answer.items) {
      const opened = await openPairedGrant(input, item.grant, item.members);
      if (opened.ok) {
        vaults.push(opened.value);
      } else {
        refused.push({
          vaultId: item.grant.vault,
          reason: opened.error.message,
          signer: keyFingerprint(decodeGrant(item.grant).signer),
        });
      }
    }
    return { vaults, refused };
  } finally {
    session.close();
  }
}

/** Checks one grant: pairing proof first (nothing else is even decrypted without it), then log, signature, key. */
async function openPairedGrant(
  input: PullKeyGrantsInput,
  grant: WireGrant,
  records: readonly WireMemberRecord[],
): Promise<Result<PulledVault, PairingMismatch | GrantRefusal | Failure<'bad-member-log'>>> {
  const fields = decodeGrant(grant);
  const matched = matchPairing(grant, fields, input.pairings, input.clock.now());
  if (!matched.ok) return matched;
  const pairing = matched.value;
  const members = await verifyMemberLog(grant.vault, records, input.verify);
  if (typeof members === 'string') return fail('bad-member-log', members);
  const key = await openKeyGrant({
    grant,
    members,
    device: input.device.publicKey,
    boxKeys: input.boxKeys,
    verify: input.verify,
  });
  if (!key.ok) return key;
  return ok({
    vaultId: grant.vault,
    vaultKey: key.value,
    members: records,
    pairingId: pairing.id,
    fingerprint: pairingFingerprint(pairing.secret, fields.signer, input.device.publicKey),
    signer: encodeBase64(fields.signer),
  });
}
