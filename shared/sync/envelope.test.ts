import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createTestDevice as device, nodeVerify } from '../../tests/integration/sync/harness';
import { decodeEnvelope, encodeEnvelope, openEnvelope, sealEnvelope, verifyEnvelope, type Envelope } from './envelope';
import { decodeSnapshot, encodeSnapshot, openSnapshot, sealSnapshot, verifySnapshot } from './snapshot';

const random = (n: number) => new Uint8Array(randomBytes(n));
const vaultKey = { epoch: 3, key: random(32) };
const vault = 'vault-0123456789abcdef';
const update = Uint8Array.from([1, 2, 3, 4, 5]);

describe('envelopes', () => {
  test('seal, verify, open round-trip through the wire form', async () => {
    const env = await sealEnvelope({ vault, vaultKey, counter: 7, members: 1, update, signer: device(), random });
    const wire = decodeEnvelope(encodeEnvelope(env));
    expect(await verifyEnvelope(wire, nodeVerify)).toBe(true);
    expect(openEnvelope(wire, vaultKey)).toEqual(update);
    expect(Buffer.from(env.ciphertext).includes(Buffer.from(update))).toBe(false);
  });

  test('any change to the header, nonce, ciphertext or signature breaks the signature', async () => {
    const signer = device();
    const env = await sealEnvelope({ vault, vaultKey, counter: 7, members: 1, update, signer, random });
    const flip = (bytes: Uint8Array) => bytes.map((b, i) => (i === 0 ? b ^ 1 : b));
    const tampered: Envelope[] = [
      { ...env, vault: 'vault-0123456789abcdeX' },
      { ...env, epoch: 4 },
      { ...env, counter: 8 },
      { ...env, author: device().publicKey },
      { ...env, nonce: flip(env.nonce) },
      { ...env, ciphertext: flip(env.ciphertext) },
      { ...env, sig: flip(env.sig) },
    ];
    for (const bad of tampered) expect(await verifyEnvelope(bad, nodeVerify)).toBe(false);
  });

  test('a ciphertext re-signed under another header does not open (the header is sealed inside)', async () => {
    const signer = device();
    const env = await sealEnvelope({ vault, vaultKey, counter: 7, members: 1, update, signer, random });
    const relabelled: Envelope = { ...env, counter: 9 };
    const resigned = { ...relabelled, sig: await signer.sign(new Uint8Array(0)) };
    expect(openEnvelope(resigned, vaultKey)).toBeNull();
    expect(openEnvelope(env, { epoch: 3, key: random(32) })).toBeNull();
    expect(openEnvelope(env, { epoch: 4, key: vaultKey.key })).toBeNull();
  });
});

describe('snapshots', () => {
  test('carry state and counters, commit to their sequence, and refuse tampering', async () => {
    const signer = device();
    const counters = { [Buffer.from(signer.publicKey).toString('base64')]: 2 ** 40 + 5 };
    const snap = await sealSnapshot({
      vault,
      vaultKey,
      seq: 300,
      content: { state: update, counters },
      signer,
      random,
    });
    const wire = decodeSnapshot(encodeSnapshot(snap));
    expect(await verifySnapshot(wire, nodeVerify)).toBe(true);
    expect(openSnapshot(wire, vaultKey)).toEqual({ state: update, counters });
    expect(await verifySnapshot({ ...wire, seq: 301 }, nodeVerify)).toBe(false);
    expect(openSnapshot({ ...wire, seq: 301 }, vaultKey)).toBeNull();
  });
});
