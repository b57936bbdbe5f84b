// Issue #11, item 4: what a stranger can make the relay hold before proving a key, and what one
// address or device can take. Each test attacks a real relay process started with small limits and
// waits for the relay's own answer (an error frame and a close), never for a timer of its own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { createVault } from '../../../shared/sync/link';
import { applyMemberRecord, signMemberRecord, verifyMemberLog } from '../../../shared/sync/members';
import { WebSocket } from 'ws';
import {
  createTestClient,
  createTestDevice,
  nodeRandom,
  nodeVerify,
  removeDataDir,
  startRelayProcess,
  waitForStatus,
  type RelayProcess,
} from './harness';
import { createTestVault, startLinkedClients } from './clients';
import { openRawSocket, requestRaw } from './raw-socket';

const relays: RelayProcess[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) {
    await relay.kill();
    removeDataDir(relay);
  }
});

async function relayWith(...args: string[]): Promise<RelayProcess> {
  const relay = await startRelayProcess({ args });
  relays.push(relay);
  return relay;
}

test('a socket that never authenticates is closed at the deadline', async () => {
  const relay = await relayWith('--auth-deadline-ms', '300');
  const idle = await openRawSocket(relay.url);
  expect(await idle.next((f) => f.t === 'error')).toMatchObject({ code: errorCodes.authTimeout });
  expect((await idle.closed).code).toBe(1008);
});

test('a large frame before authentication is refused and the socket closed, without parsing it', async () => {
  const relay = await relayWith('--pre-auth-frame-bytes', '1024');
  const socket = await openRawSocket(relay.url);
  socket.send(JSON.stringify({ t: 'auth', id: 1, padding: 'x'.repeat(50_000) }));
  expect(await socket.next((f) => f.t === 'error')).toMatchObject({ code: errorCodes.frameTooLarge });
  expect((await socket.closed).code).toBe(1008);
  // An honest device still signs in: its auth frame is far below the limit.
  const honest = await openRawSocket(relay.url);
  await honest.authenticate(createTestDevice());
  honest.ws.close();
});

test('connections from one address beyond the limit are refused; closing one frees a slot', async () => {
  const relay = await relayWith('--max-connections-per-address', '3');
  const open = await Promise.all([1, 2, 3].map(() => openRawSocket(relay.url)));
  // The relay answers the fourth with one error frame instead of a hello, and closes it (1013: try later).
  const fourth = new WebSocket(relay.url);
  const [first, closed] = await Promise.all([
    new Promise<unknown>((resolve) => fourth.once('message', (data: Buffer) => resolve(JSON.parse(data.toString())))),
    new Promise<number>((resolve) => fourth.once('close', (code) => resolve(code))),
  ]);
  expect(first).toMatchObject({ t: 'error', code: errorCodes.tooManyConnections });
  expect(closed).toBe(1013);
  open[0]?.ws.close();
  await open[0]?.closed;
  const again = await openRawSocket(relay.url);
  expect(again.frames[0]).toMatchObject({ t: 'hello' });
  for (const socket of [...open, again]) socket.ws.close();
});

test('one device key cannot hold more than its share of connections', async () => {
  const relay = await relayWith('--max-connections-per-device', '2');
  const device = createTestDevice();
  const first = await openRawSocket(relay.url);
  const second = await openRawSocket(relay.url);
  await first.authenticate(device);
  await second.authenticate(device);
  const third = await openRawSocket(relay.url);
  await expect(third.authenticate(device)).rejects.toThrow(String(errorCodes.tooManyConnections));
  expect((await third.closed).code).toBe(1013);
  first.ws.close();
  second.ws.close();
});

test('a flood of frames is cut off; the relay keeps serving others', async () => {
  const relay = await relayWith('--messages-per-second', '20');
  const flooder = await openRawSocket(relay.url);
  await flooder.authenticate(createTestDevice());
  for (let i = 0; i < 500; i++) flooder.sendJson({ t: 'grants', id: i + 10 });
  expect(await flooder.next((f) => f.t === 'error' && f.code === errorCodes.rateLimited)).toBeTruthy();
  expect((await flooder.closed).code).toBe(1008);
  const other = await openRawSocket(relay.url);
  await other.authenticate(createTestDevice());
  other.ws.close();
});

test('with an allow-list, unknown keys are refused at sign-in and listed ones sync', async () => {
  const vault = await createTestVault();
  const dir = mkdtempSync(join(tmpdir(), 'regvault-allow-'));
  const list = join(dir, 'devices');
  writeFileSync(list, `# the owner's laptop\n${encodeBase64(vault.owner.publicKey)}\n`);
  const relay = await relayWith('--allowed-devices', list);
  const stranger = await openRawSocket(relay.url);
  await expect(stranger.authenticate(createTestDevice())).rejects.toThrow(String(errorCodes.deviceNotAllowed));
  expect((await stranger.closed).code).toBe(1008);
  const [owner] = await startLinkedClients({ relayUrl: relay.url, vault, extra: 0 });
  expect(owner?.client.engine.status()).toBe('synced');
  await owner?.stop();

  // The engine of a device not on the list shows why, in the status.
  const other = await createTestVault();
  const client = createTestClient({
    relayUrl: relay.url,
    vaultId: other.vaultId,
    vaultKey: other.vaultKey,
    device: other.owner,
    members: [other.genesis],
  });
  await client.engine.start();
  await waitForStatus(
    client.engine,
    (s) => typeof s === 'object' && 'error' in s && s.error.code === errorCodes.deviceNotAllowed,
  );
  await client.engine.stop();
});

test('quotas: vaults a device may create, member records a vault may hold, bytes a device may store', async () => {
  const relay = await relayWith(
    '--max-vaults-per-device',
    '2',
    '--max-members-per-vault',
    '2',
    '--max-bytes-per-device',
    '2048',
  );
  const owner = createTestDevice();
  const socket = await openRawSocket(relay.url);
  await socket.authenticate(owner);
  const vaults = await Promise.all([1, 2, 3].map(() => createVault(owner, nodeRandom)));
  const register = (i: number) => requestRaw(socket, { t: 'register', id: 100 + i, record: vaults[i]?.genesis });
  expect(await register(0)).toMatchObject({ t: 'done' });
  expect(await register(1)).toMatchObject({ t: 'done' });
  expect(await register(2)).toMatchObject({ t: 'error', code: errorCodes.quotaExceeded });

  // Members: the genesis plus one added device fill a log of 2.
  const [first] = vaults;
  if (!first) throw new Error('no vault');
  let members = await verifyMemberLog(first.vaultId, [first.genesis], nodeVerify);
  if (typeof members === 'string') throw new Error(members);
  const add = async (id: number) => {
    const record = await signMemberRecord(
      members as Exclude<typeof members, string>,
      { action: 'add', subject: createTestDevice().publicKey, role: 'reader' },
      owner,
    );
    const answer = await requestRaw(socket, { t: 'authorize', id, record });
    if (answer.t === 'done') members = applyMemberRecord(members as Exclude<typeof members, string>, record, true);
    return answer;
  };
  expect(await add(200)).toMatchObject({ t: 'done' });
  expect(await add(201)).toMatchObject({ t: 'error', code: errorCodes.quotaExceeded });

  // Bytes: envelopes of just over 1 KiB each; the second does not fit in 2 KiB.
  const publish = async (counter: number) =>
    requestRaw(socket, {
      t: 'publish',
      id: 300 + counter,
      env: encodeEnvelope(
        await sealEnvelope({
          vault: first.vaultId,
          vaultKey: first.vaultKey,
          counter,
          members: 1,
          update: new Uint8Array(1000).fill(counter),
          signer: owner,
          random: nodeRandom,
        }),
      ),
    });
  expect(await publish(1)).toMatchObject({ t: 'ack' });
  expect(await publish(2)).toMatchObject({ t: 'error', code: errorCodes.quotaExceeded });
  socket.ws.close();
});

test('a subscription sends only the member records the device does not hold yet', async () => {
  const relay = await relayWith();
  const owner = createTestDevice();
  const socket = await openRawSocket(relay.url);
  await socket.authenticate(owner);
  const vault = await createVault(owner, nodeRandom);
  expect(await requestRaw(socket, { t: 'register', id: 1, record: vault.genesis })).toMatchObject({ t: 'done' });
  let members = await verifyMemberLog(vault.vaultId, [vault.genesis], nodeVerify);
  for (const id of [2, 3]) {
    if (typeof members === 'string') throw new Error(members);
    const record = await signMemberRecord(
      members,
      { action: 'add', subject: createTestDevice().publicKey, role: 'reader' },
      owner,
    );
    expect(await requestRaw(socket, { t: 'authorize', id, record })).toMatchObject({ t: 'done' });
    members = applyMemberRecord(members, record, true);
  }
  const subscribe = (id: number, known?: number) =>
    requestRaw(socket, {
      t: 'subscribe',
      id,
      vault: vault.vaultId,
      from: 0,
      ...(known === undefined ? {} : { members: known }),
    });
  expect(await subscribe(10)).toMatchObject({
    membersFrom: 0,
    memberCount: 3,
    members: [{ index: 0 }, { index: 1 }, { index: 2 }],
  });
  expect(await subscribe(11, 1)).toMatchObject({
    membersFrom: 1,
    memberCount: 3,
    members: [{ index: 1 }, { index: 2 }],
  });
  expect(await subscribe(12, 3)).toMatchObject({ membersFrom: 3, memberCount: 3, members: [] });
  // Claiming more than there is gets nothing extra, and the count lets the client see the rollback.
  expect(await subscribe(13, 9)).toMatchObject({ membersFrom: 3, memberCount: 3, members: [] });
  socket.ws.close();
});
