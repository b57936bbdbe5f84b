import { describe, expect, test } from 'vitest';
import { clientFrameSchema, relayFrameSchema } from './wire-frames';
import { base64Schema, envelopeSchema } from './wire-records';
import { decodeBase64, encodeBase64 } from '../crypto/bytes';

const key = Buffer.alloc(32, 7).toString('base64');
const sig = Buffer.alloc(64, 1).toString('base64');
const envelope = {
  vault: 'vault-wire-00000000',
  epoch: 0,
  author: key,
  counter: 1,
  members: 1,
  nonce: Buffer.alloc(24).toString('base64'),
  ciphertext: 'AAAA',
  sig,
};

describe('frame schemas', () => {
  test('accept well-formed frames', () => {
    expect(clientFrameSchema.safeParse({ t: 'publish', id: 1, env: envelope }).success).toBe(true);
    expect(relayFrameSchema.safeParse({ t: 'env', seq: 4, env: envelope }).success).toBe(true);
    // No older format: an envelope without its member-log position (protocol v2) is not a frame.
    const { members: _position, ...positionless } = envelope;
    expect(relayFrameSchema.safeParse({ t: 'env', seq: 4, env: positionless }).success).toBe(false);
    expect(relayFrameSchema.safeParse({ t: 'error', id: null, code: 1001, message: 'x' }).success).toBe(true);
  });

  test('refuse unknown fields, wrong key sizes, non-canonical numbers and unknown codes', () => {
    expect(clientFrameSchema.safeParse({ t: 'publish', id: 1, env: envelope, extra: 1 }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, author: Buffer.alloc(31).toString('base64') }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, ciphertext: 'AAA' }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, counter: 0 }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, counter: 1.5 }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, vault: 'short' }).success).toBe(false);
    expect(relayFrameSchema.safeParse({ t: 'error', id: null, code: 1234, message: 'x' }).success).toBe(false);
  });
});

describe('canonical base64', () => {
  test('agrees with decode-and-re-encode on every spelling of the spare bits', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (const bytes of [new Uint8Array([7]), new Uint8Array([7, 9]), new Uint8Array(32).fill(3)]) {
      const canonical = encodeBase64(bytes);
      const at = canonical.indexOf('=') - 1;
      for (const char of alphabet) {
        const spelled = canonical.slice(0, at) + char + canonical.slice(at + 1);
        const sameBytes = encodeBase64(decodeBase64(spelled)) === spelled;
        expect(base64Schema.safeParse(spelled).success, spelled).toBe(sameBytes);
      }
    }
    expect(base64Schema.safeParse(encodeBase64(new Uint8Array(33))).success).toBe(true);
  });
});
