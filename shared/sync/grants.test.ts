import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createTestDevice, nodeVerify } from '../../tests/integration/sync/harness';
import { openKeyGrant, sealKeyGrant } from './grants';
import { fail, ok } from '../result';
import { createGenesisRecord, verifyMemberLog, type MemberState } from './members';

const random = (n: number) => new Uint8Array(randomBytes(n));
const vault = 'vault-grants-0000000';
const vaultKey = { epoch: 0, key: random(32) };
const pairingSecret = random(32);

describe('key grants', () => {
  test('open only for the addressed device, from an admin, unmodified', async () => {
    const owner = createTestDevice();
    const members = (await verifyMemberLog(
      vault,
      [await createGenesisRecord(vault, owner)],
      nodeVerify,
    )) as MemberState;
    const newcomer = createTestDevice();
    const recipient = { signing: newcomer.publicKey, box: newcomer.boxKeys.publicKey };
    const grant = await sealKeyGrant({ vault, vaultKey, recipient, signer: owner, random, pairingSecret });
    const open = (g = grant, device = newcomer) =>
      openKeyGrant({ grant: g, members, device: device.publicKey, boxKeys: device.boxKeys, verify: nodeVerify });
    expect(await open()).toEqual(ok({ ...vaultKey, ring: new Map([[vaultKey.epoch, vaultKey.key]]) }));
    expect(await open(grant, createTestDevice())).toEqual(
      fail('other-recipient', 'grant is addressed to another device'),
    );
    const outsider = createTestDevice();
    const byOutsider = await sealKeyGrant({ vault, vaultKey, recipient, signer: outsider, random, pairingSecret });
    expect(await open(byOutsider)).toEqual(fail('signer-not-admin', 'grant signer is not an admin of the vault'));
    expect(await open({ ...grant, epoch: 1 })).toEqual(fail('bad-signature', 'bad grant signature'));
    expect(await open({ ...grant, vault: 'vault-grants-0000001' })).toEqual(
      fail('other-vault', 'grant is for another vault'),
    );
  });
});
