import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import { decodeBase64, encodeBase64 } from '../crypto/bytes';
import {
  createInvitation,
  decodeInvitationCode,
  encodeDeclineMessage,
  encodeInvitationCode,
  encodeJoinMessage,
  invitationFingerprint,
  invitationId,
  invitationPairing,
  openJoinRequest,
  sealJoinRequest,
  signDecline,
  INVITATION_TTL_MS,
  type Invitation,
} from './invitation';
import { mayConfirmAutomatically, openKeptInvitation, sealKeptInvitation } from './invitation-keep';

let counter = 0;
const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + ++counter) & 0xff);
const now = 1_800_000_000_000;
const input = {
  relayUrl: 'wss://relay.example.com/',
  vaultId: 'vault-id-0123456789ab',
  vaultName: 'Production',
  inviterName: 'Alice',
  role: 'writer' as const,
  inviterKey: encodeBase64(new Uint8Array(32).fill(9)),
};
const device = nacl.sign.keyPair();
const box = nacl.box.keyPair();
const joinOf = (invitation: Invitation, name = 'Bob') =>
  sealJoinRequest(invitation, { device: device.publicKey, box: box.publicKey, card: { name, person: 'p' } }, random);

describe('invitation code', () => {
  test('round-trips everything it says, expires, and refuses a typo', () => {
    const invitation = createInvitation(input, random, now);
    expect(invitation.expiresAt).toBe(now + INVITATION_TTL_MS);
    const code = encodeInvitationCode(invitation);
    expect(code).toMatch(/^rvi1-[A-Za-z0-9_-]+$/);
    expect(decodeInvitationCode(` ${code}\n`, now)).toEqual(invitation);
    expect(decodeInvitationCode(code, invitation.expiresAt)).toBe('expired');
    const typo = code.slice(0, 20) + (code[20] === 'A' ? 'B' : 'A') + code.slice(21);
    expect(decodeInvitationCode(typo, now)).toBe('malformed');
    expect(decodeInvitationCode('rv2-abc', now)).toBe('malformed');
  });

  test('the fingerprint binds the joining device: it changes with its keys, the secret and anything the code says', () => {
    const invitation = createInvitation(input, random, now);
    const joiner = { device: encodeBase64(device.publicKey), box: encodeBase64(box.publicKey) };
    const shown = invitationFingerprint(invitation, joiner);
    expect(shown).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(invitationFingerprint({ ...invitation }, { ...joiner })).toBe(shown);
    // Someone else holding the same code joins with its own keys: the admin sees other digits.
    const stranger = { device: encodeBase64(nacl.sign.keyPair().publicKey), box: joiner.box };
    expect(invitationFingerprint(invitation, stranger)).not.toBe(shown);
    expect(invitationFingerprint(invitation, { ...joiner, box: stranger.device })).not.toBe(shown);
    for (const changed of [
      { secret: random(32) },
      { role: 'admin' as const },
      { vaultName: 'Staging' },
      { inviterName: 'Mallory' },
      { vaultId: 'another-vault-id-0123' },
    ])
      expect(invitationFingerprint({ ...invitation, ...changed }, joiner)).not.toBe(shown);
  });

  test('the public id and the pairing secret are derived, never the secret itself', () => {
    const invitation = createInvitation(input, random, now);
    expect(decodeBase64(invitationId(invitation.secret))).not.toEqual(invitation.secret);
    const pairing = invitationPairing(invitation);
    expect(pairing.secret).not.toEqual(invitation.secret);
    expect(pairing.expiresAt).toBe(invitation.expiresAt);
  });
});

describe('join request', () => {
  test('is signed with the invitation key (what the relay checks) and opens only for the admin with the secret', () => {
    const invitation = createInvitation(input, random, now);
    const request = joinOf(invitation);
    expect(request.invitation).toBe(invitationId(invitation.secret));
    const signed = encodeJoinMessage(request);
    expect(nacl.sign.detached.verify(signed, decodeBase64(request.sig), decodeBase64(request.invitation))).toBe(true);
    expect(openJoinRequest(invitation, request)).toEqual({ name: 'Bob', person: 'p' });
    const other = createInvitation(input, random, now);
    expect(openJoinRequest(other, request)).toBeNull();
  });

  test('a card moved onto another device key, or a changed field, does not open', () => {
    const invitation = createInvitation(input, random, now);
    const request = joinOf(invitation);
    const moved = { ...request, device: encodeBase64(nacl.sign.keyPair().publicKey) };
    expect(openJoinRequest(invitation, moved)).toBeNull();
    expect(openJoinRequest(invitation, { ...request, box: moved.device })).toBeNull();
  });

  test('a decline is signed with the same key', () => {
    const invitation = createInvitation(input, random, now);
    const decline = signDecline(invitation);
    const message = encodeDeclineMessage(decline.invitation);
    expect(nacl.sign.detached.verify(message, decodeBase64(decline.sig), decodeBase64(decline.invitation))).toBe(true);
  });
});

describe('a pipeline or service invitation', () => {
  test('carries the Service mark in its code and fingerprint; a person’s code stays as it was', () => {
    const person = createInvitation(input, random, now);
    const service = { ...person, service: true };
    expect(decodeInvitationCode(encodeInvitationCode(service), now)).toMatchObject({ service: true });
    const decodedPerson = decodeInvitationCode(encodeInvitationCode(person), now);
    expect(decodedPerson).not.toHaveProperty('service');
    // The mark is covered: the same secret with and without it shows different fingerprints.
    const joiner = { device: 'ZGV2aWNl', box: 'Ym94' };
    expect(invitationFingerprint(service, joiner)).not.toBe(invitationFingerprint(person, joiner));
  });
});

describe("the inviter's kept copy", () => {
  const own = nacl.box.keyPair();
  const itemOf = (invitation: Invitation, keep: string) =>
    ({
      invitation: invitationId(invitation.secret),
      vault: invitation.vaultId,
      expiresAt: invitation.expiresAt,
      state: 'open',
      inviter: encodeBase64(device.publicKey),
      keep,
      contested: 0,
    }) as const;

  test("opens only with the sealing device's box key, for its own mailbox and vault", () => {
    const invitation = createInvitation(input, random, now);
    const keep = sealKeptInvitation({ invitation, autoConfirm: false }, own.publicKey, random);
    expect(openKeptInvitation(itemOf(invitation, keep), own, now)).toEqual({ invitation, autoConfirm: false });
    expect(openKeptInvitation(itemOf(invitation, keep), nacl.box.keyPair(), now)).toBeNull();
    // The relay moving a copy onto another mailbox (or vault) is caught.
    const other = createInvitation(input, random, now);
    expect(openKeptInvitation({ ...itemOf(other, keep) }, own, now)).toBeNull();
    expect(openKeptInvitation({ ...itemOf(invitation, keep), vault: 'another-vault-id-0123' }, own, now)).toBeNull();
    expect(openKeptInvitation(itemOf(invitation, keep), own, invitation.expiresAt)).toBeNull();
  });

  test('confirming automatically holds only for a Viewer invitation', () => {
    const editor = createInvitation(input, random, now);
    const viewer = createInvitation({ ...input, role: 'reader' }, random, now);
    const sealed = (invitation: Invitation) =>
      sealKeptInvitation({ invitation, autoConfirm: true }, own.publicKey, random);
    expect(openKeptInvitation(itemOf(editor, sealed(editor)), own, now)?.autoConfirm).toBe(false);
    expect(openKeptInvitation(itemOf(viewer, sealed(viewer)), own, now)?.autoConfirm).toBe(true);
    expect(mayConfirmAutomatically(viewer)).toBe(true);
    expect(mayConfirmAutomatically(editor)).toBe(false);
  });
});
