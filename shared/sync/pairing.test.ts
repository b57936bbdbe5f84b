import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createTestDevice } from '../../tests/integration/sync/harness';
import { decodeGrant, sealKeyGrant } from './grants';
import {
  PAIRING_TTL_MS,
  decodePairingCode,
  encodePairingCode,
  matchPairing,
  pairingFingerprint,
  startPairing,
} from './pairing';

const random = (n: number) => new Uint8Array(randomBytes(n));
const now = Date.UTC(2026, 10, 28, 12, 0, 0);

function newcomer() {
  const device = createTestDevice();
  return { device, identity: { signing: device.publicKey, box: device.boxKeys.publicKey } };
}

describe('pairing codes', () => {
  test('carry the keys and the secret, expire after 10 minutes, and catch typos', () => {
    const { identity } = newcomer();
    const pairing = startPairing(random, now);
    const code = encodePairingCode(identity, pairing);
    expect(code).toMatch(/^rv2-[A-Za-z0-9_-]{139}$/);
    expect(decodePairingCode(`  ${code}\n`, now)).toEqual({
      identity,
      secret: pairing.secret,
      expiresAt: pairing.expiresAt,
    });
    expect(pairing.expiresAt - now).toBeGreaterThan(PAIRING_TTL_MS - 1000);
    expect(decodePairingCode(code, pairing.expiresAt - 1)).not.toBe('expired');
    expect(decodePairingCode(code, pairing.expiresAt)).toBe('expired');
    const typo = code.slice(0, 20) + (code[20] === 'A' ? 'B' : 'A') + code.slice(21);
    expect(decodePairingCode(typo, now)).toBe('malformed');
    expect(decodePairingCode('rv2-short', now)).toBe('malformed');
    // The public-keys-only code of the previous version is recognized, so the message can say to update.
    expect(decodePairingCode(`rv1-${'A'.repeat(91)}`, now)).toBe('old-format');
  });

  test('each pairing has its own secret and id', () => {
    const [a, b] = [startPairing(random, now), startPairing(random, now)];
    expect(a.id).not.toBe(b.id);
    expect(a.secret).not.toEqual(b.secret);
  });
});

describe('pairing proofs', () => {
  async function grantFor(secret: Uint8Array) {
    const owner = createTestDevice();
    const { identity } = newcomer();
    const vaultKey = { epoch: 0, key: random(32) };
    const grant = await sealKeyGrant({
      vault: 'vault-pairing-000000',
      vaultKey,
      recipient: identity,
      signer: owner,
      random,
      pairingSecret: secret,
    });
    return { grant, owner, identity };
  }

  test('match only an unused, unexpired pairing whose secret made the grant', async () => {
    const pairing = startPairing(random, now);
    const other = startPairing(random, now);
    const { grant } = await grantFor(pairing.secret);
    const fields = decodeGrant(grant);
    expect(matchPairing(grant, fields, [other, pairing], now)).toEqual({ ok: true, value: pairing });
    expect(matchPairing(grant, fields, [other], now)).toMatchObject({ error: { code: 'unknown-pairing' } });
    expect(matchPairing(grant, fields, [pairing], pairing.expiresAt)).toMatchObject({
      error: { code: 'pairing-expired' },
    });
    const { pairing: _proof, ...bare } = grant;
    expect(matchPairing(bare, fields, [pairing], now)).toMatchObject({ error: { code: 'no-proof' } });
  });

  test('a proof made without the secret, or moved onto another grant, does not verify', async () => {
    const pairing = startPairing(random, now);
    const guessed = startPairing(random, now);
    // Someone who knows only the public keys and the pairing id (the relay sees it) guesses the secret.
    const { grant: forged } = await grantFor(guessed.secret);
    const relabelled = { ...forged, pairing: { id: pairing.id, mac: forged.pairing?.mac ?? '' } };
    expect(matchPairing(relabelled, decodeGrant(relabelled), [pairing], now)).toMatchObject({
      error: { code: 'bad-proof' },
    });
    // An honest proof copied onto a grant for another vault.
    const { grant: honest } = await grantFor(pairing.secret);
    const { grant: attacker } = await grantFor(guessed.secret);
    const moved = { ...attacker, pairing: honest.pairing };
    expect(matchPairing(moved, decodeGrant(moved), [pairing], now)).toMatchObject({ error: { code: 'bad-proof' } });
  });
});

describe('pairing fingerprints', () => {
  test('agree on both devices and change with the granting device', () => {
    const pairing = startPairing(random, now);
    const [granter, other, receiver] = [createTestDevice(), createTestDevice(), createTestDevice()];
    const shown = pairingFingerprint(pairing.secret, granter.publicKey, receiver.publicKey);
    expect(shown).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(pairingFingerprint(pairing.secret, granter.publicKey, receiver.publicKey)).toBe(shown);
    expect(pairingFingerprint(pairing.secret, other.publicKey, receiver.publicKey)).not.toBe(shown);
  });
});
