import { describe, expect, test } from 'vitest';
import { clientFrameSchema, relayFrameSchema } from './wire-frames';
import { envelopeSchema } from './wire-records';

const key = Buffer.alloc(32, 7).toString('base64');
const sig = Buffer.alloc(64, 1).toString('base64');
const envelope = {
  vault: 'vault-wire-00000000',
  epoch: 0,
  author: key,
  counter: 1,
  nonce: Buffer.alloc(24).toString('base64'),
  ciphertext: 'AAAA',
  sig,
};

describe('frame schemas', () => {
  test('accept well-formed frames', () => {
    expect(clientFrameSchema.safeParse({ t: 'publish', id: 1, env: envelope }).success).toBe(true);
    expect(relayFrameSchema.safeParse({ t: 'env', seq: 4, env: envelope }).success).toBe(true);
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
