// The device's answer to a relay's challenge. It signs the challenge together with the relay address
// it connected to, so a relay that hands over another relay's challenge gets an answer that relay
// refuses (docs/protocol.md §2).
import { encodeBase64 } from '../crypto/bytes';
import { encodeAuthMessage } from './canonical';
import type { DeviceSigner } from './ports';
import type { authFrameSchema } from './wire-frames';
import { protocolVersion } from './wire-records';
import type { z } from 'zod';

/** A client's `auth` frame. */
export type AuthFrame = Readonly<z.infer<typeof authFrameSchema>>;

/** Signs `challenge` for the relay at `relayUrl` (canonical, from `checkRelayUrl`) and builds the `auth` frame. */
export async function signAuthFrame(signer: DeviceSigner, challenge: Uint8Array, relayUrl: string): Promise<AuthFrame> {
  const sig = await signer.sign(encodeAuthMessage(challenge, signer.publicKey, relayUrl));
  return {
    t: 'auth',
    id: 0,
    v: protocolVersion,
    device: encodeBase64(signer.publicKey),
    relay: relayUrl,
    sig: encodeBase64(sig),
  };
}
