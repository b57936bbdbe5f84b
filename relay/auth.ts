// The relay's check of a device's answer to its challenge: right protocol version, signed for this
// relay's public URL (not one a proxying relay presented), and a valid signature over both.
import type { AuthFrame } from '../shared/sync/auth';
import { decodeBase64 } from '../shared/crypto/bytes';
import { encodeAuthMessage } from '../shared/sync/canonical';
import { errorCodes, type ErrorCode } from '../shared/sync/codes';
import { protocolVersion } from '../shared/sync/wire-records';
import type { RelayContext } from './handlers';

/** Why an `auth` frame was refused; the relay sends it as an error and closes the connection. */
export type AuthRefusal = Readonly<{ code: ErrorCode; message: string; close: string }>;

/** Checks an `auth` frame against this connection's challenge and the relay's public URL; null when it passes. */
export function checkAuthFrame(
  frame: AuthFrame,
  challenge: Uint8Array,
  publicUrl: string,
  verify: RelayContext['verify'],
): AuthRefusal | null {
  if (frame.v !== protocolVersion || frame.relay === undefined) {
    const message =
      frame.v < protocolVersion || frame.relay === undefined
        ? `this relay speaks protocol v${protocolVersion}, this app v${frame.v}: update Regvault`
        : `this relay speaks protocol v${protocolVersion}, older than this app's v${frame.v}: its operator must update the Regvault relay`;
    return { code: errorCodes.unsupportedVersion, message, close: 'unsupported version' };
  }
  if (frame.relay !== publicUrl) {
    const message = `signed for ${frame.relay.slice(0, 300)}, but this relay is ${publicUrl}: connect to ${publicUrl} (or the operator sets --public-url to the address clients use)`;
    return { code: errorCodes.wrongRelay, message: message.slice(0, 1000), close: 'wrong relay' };
  }
  const device = decodeBase64(frame.device);
  if (!verify(decodeBase64(frame.sig), encodeAuthMessage(challenge, device, publicUrl), device)) {
    return {
      code: errorCodes.authFailed,
      message: 'the challenge signature does not verify',
      close: 'authentication failed',
    };
  }
  return null;
}
