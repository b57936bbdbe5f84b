// The agent's own device identity: an Ed25519 signing key (its seed kept in the sealed state) and an
// X25519 box key pair that vault keys are sealed to. Signing with node:crypto, verification with the
// relay's node:crypto verifier (tweetnacl's verify is ~80× slower).
import { createPrivateKey, sign } from 'node:crypto';
import nacl from 'tweetnacl';
import { createEd25519Verifier } from '../relay/ed25519';
import { decodeBase64, encodeBase64 } from '../shared/crypto/bytes';
import type { BoxKeyPair, DeviceSigner, RandomBytes } from '../shared/sync/ports';
import type { AgentState } from './state-schema';

/** The secret material of the agent's device, as the state file holds it. */
export type DeviceSecrets = Readonly<{ seed: Uint8Array; box: BoxKeyPair }>;

/** A device that can sign and open grants. */
export type AgentDevice = DeviceSigner & Readonly<{ boxKeys: BoxKeyPair }>;

// PKCS#8 DER of an Ed25519 private key is this fixed prefix followed by the 32-byte seed.
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Fresh device secrets. */
export function createDeviceSecrets(random: RandomBytes): DeviceSecrets {
  return { seed: random(32), box: nacl.box.keyPair.fromSecretKey(random(32)) };
}

/** The signer and box keys of stored device secrets. */
export function openDevice(secrets: DeviceSecrets): AgentDevice {
  const privateKey = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, secrets.seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = nacl.sign.keyPair.fromSeed(secrets.seed).publicKey;
  return {
    publicKey,
    sign: (message) => Promise.resolve(new Uint8Array(sign(null, message, privateKey))),
    boxKeys: secrets.box,
  };
}

/** Ed25519 verification with node:crypto. */
export const verifySignature = createEd25519Verifier();

/** The device secrets kept in a state. */
export function secretsOfState(state: AgentState): DeviceSecrets {
  const { seed, boxPublic, boxSecret } = state.device;
  return { seed: decodeBase64(seed), box: { publicKey: decodeBase64(boxPublic), secretKey: decodeBase64(boxSecret) } };
}

/** Device secrets as a state stores them. */
export function storedSecrets(secrets: DeviceSecrets): AgentState['device'] {
  return {
    seed: encodeBase64(secrets.seed),
    boxPublic: encodeBase64(secrets.box.publicKey),
    boxSecret: encodeBase64(secrets.box.secretKey),
  };
}
