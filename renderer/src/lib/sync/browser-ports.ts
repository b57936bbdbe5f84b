// The sync engine's ports in the browser: the WebSocket, WebCrypto Ed25519 (the profile's identity key
// bytes imported as a non-extractable CryptoKey) and the platform's CSPRNG.
import { VaultError } from '../../../../shared/crypto/errors';
import type { ConnectSocket, DeviceSigner, RandomBytes, VerifySignature } from '../../../../shared/sync/ports';

const ED25519 = { name: 'Ed25519' } as const;
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): the only private-key import WebCrypto takes.
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto's BufferSource type). */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * Imports an Ed25519 seed (the first 32 bytes of a tweetnacl secret key) as a non-extractable WebCrypto
 * key. The caller wipes its copy of the seed; `canSign` lets the owner refuse after the session locked.
 */
export async function importEd25519Signer(
  seed: Uint8Array,
  publicKey: Uint8Array,
  canSign: () => boolean = () => true,
): Promise<DeviceSigner> {
  if (seed.length !== 32 || publicKey.length !== 32) throw new RangeError('Ed25519 keys are 32 bytes');
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
  } finally {
    pkcs8.fill(0);
  }
  return {
    publicKey: publicKey.slice(),
    sign: async (message) => {
      if (!canSign()) throw new VaultError('locked', 'The vault is locked: unlock it to sync.');
      return new Uint8Array(await crypto.subtle.sign(ED25519, key, own(message)));
    },
  };
}

/** Ed25519 verification through WebCrypto; imported public keys are cached (a vault has few members). */
export function createWebCryptoVerifier(maxKeys = 256): VerifySignature {
  const keys = new Map<string, Promise<CryptoKey>>();
  return async (signature, message, publicKey) => {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    const id = Array.from(publicKey, (b) => b.toString(16).padStart(2, '0')).join('');
    let key = keys.get(id);
    if (!key) {
      if (keys.size >= maxKeys) keys.clear();
      key = crypto.subtle.importKey('raw', own(publicKey), ED25519, false, ['verify']);
      keys.set(id, key);
    }
    try {
      return await crypto.subtle.verify(ED25519, await key, own(signature), own(message));
    } catch {
      keys.delete(id);
      return false;
    }
  };
}

/** The platform's CSPRNG. */
export const browserRandom: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/** The engine's socket adapter over the browser WebSocket (text frames as strings, binary as bytes). */
export const connectBrowserSocket: ConnectSocket = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data;
    handlers.onMessage(typeof data === 'string' ? data : new Uint8Array(data instanceof ArrayBuffer ? data : []));
  };
  ws.onclose = (event) => handlers.onClose(event.code, event.reason);
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => {
      // The browser accepts only 1000 and 3000–4999 from a page; anything else closes plainly.
      if (code === 1000 || (code !== undefined && code >= 3000 && code <= 4999)) ws.close(code, reason);
      else ws.close();
    },
  };
};
