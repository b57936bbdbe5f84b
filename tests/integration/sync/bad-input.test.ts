// Bad input, each answered with its numbered error code while the relay keeps serving two canary
// devices that edit throughout: random frames, oversized frames, bad signatures, unknown vaults,
// unauthorized keys, replayed counters, snapshots claiming sequences the relay never assigned.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { signMemberRecord } from '../../../shared/sync/members';
import { encodeSnapshot, sealSnapshot } from '../../../shared/sync/snapshot';
import { protocolVersion } from '../../../shared/sync/wire-records';
import {
  contentOf,
  createTestVault,
  inviteOf,
  startLinkedClients,
  waitConverged,
  type RestartableClient,
  type TestVault,
} from './clients';
import {
  createTestDevice,
  nodeRandom,
  removeDataDir,
  startRelayProcess,
  waitSynced,
  type RelayProcess,
  type TestDevice,
} from './harness';
import { createPrng } from './network';
import { openRawSocket, requestRaw, type RawSocket } from './raw-socket';
import { valueOf } from '../../../shared/test-result';

const maxFrameBytes = 65_536;
let relay: RelayProcess;
let vault: TestVault;
let canaries: RestartableClient[];
let writer: TestDevice;
let reader: TestDevice;
let canaryEdits = 0;

function editCanary(): void {
  const c = canaries[canaryEdits % 2];
  c?.client.doc.getMap<boolean>('ops').set(`canary-${canaryEdits++}`, true);
}

beforeAll(async () => {
  relay = await startRelayProcess({ args: ['--max-frame-bytes', String(maxFrameBytes)] });
  vault = await createTestVault();
  canaries = await startLinkedClients({ relayUrl: relay.url, vault, extra: 1 });
  writer = createTestDevice();
  reader = createTestDevice();
  const admin = canaries[0]?.client.engine;
  if (!admin) throw new Error('no canary client');
  valueOf(await admin.authorizeDevice(inviteOf(writer), 'writer'));
  valueOf(await admin.authorizeDevice(inviteOf(reader), 'reader'));
});

afterAll(async () => {
  // The relay kept serving: the canaries' edits made during all of the above converged.
  const [a, b] = canaries;
  if (a && b) {
    editCanary();
    await waitSynced(a.client.engine);
    await waitSynced(b.client.engine);
    await waitConverged([a.client.doc, b.client.doc]);
    expect(a.client.doc.getMap('ops').size).toBe(canaryEdits);
    expect(contentOf(a.client.doc)).toBe(contentOf(b.client.doc));
  }
  for (const c of canaries) await c.stop();
  await relay.kill();
  removeDataDir(relay);
});

function randomFrame(prng: ReturnType<typeof createPrng>): string | Buffer {
  const kind = prng.int(5);
  if (kind === 0) return Buffer.from(Array.from({ length: 1 + prng.int(200) }, () => prng.int(256)));
  if (kind === 1) return Array.from({ length: prng.int(120) }, () => String.fromCharCode(32 + prng.int(95))).join('');
  if (kind === 2) return JSON.stringify(prng.pick([null, 42, 'text', [1, 2], { t: 42 }, { id: 1 }, true]));
  // A frame of a real type with one field broken or an unknown field added (frames are strict objects).
  const t = prng.pick(['register', 'authorize', 'subscribe', 'publish', 'snapshot', 'grants', 'nope']);
  const frame: Record<string, unknown> = {
    t,
    id: prng.int(1000),
    vault: 'v'.repeat(prng.int(80)),
    from: prng.int(5) - 2,
  };
  if (kind === 3) frame.extra = prng.int(10);
  else frame.env = { vault: 'x', counter: -1, sig: '!!' };
  return JSON.stringify(frame);
}

async function sendRandomFrames(socket: RawSocket, seed: number, count: number): Promise<void> {
  const prng = createPrng(seed);
  const start = socket.frames.length;
  for (let i = 0; i < count; i++) {
    socket.send(randomFrame(prng));
    if (i % 500 === 0) editCanary();
  }
  await socket.waitForCount(start + count);
  const answers = socket.frames.slice(start);
  expect(answers).toHaveLength(count);
  expect(answers.every((f) => f.t === 'error')).toBe(true);
  const codes = new Set(answers.map((f) => f.code));
  for (const code of codes) expect([errorCodes.malformedFrame, errorCodes.notAuthenticated]).toContain(code);
  expect(codes.has(errorCodes.malformedFrame)).toBe(true);
}

describe('random frames', () => {
  test('10,000 random frames, before and after authentication, are each answered with an error', async () => {
    const anonymous = await openRawSocket(relay.url);
    await sendRandomFrames(anonymous, 11, 5_000);
    const authed = await openRawSocket(relay.url);
    await authed.authenticate(createTestDevice());
    await sendRandomFrames(authed, 12, 5_000);
    // Both connections are still usable afterwards.
    await anonymous.authenticate(createTestDevice());
    expect(await requestRaw(authed, { t: 'grants', id: 7 })).toMatchObject({ t: 'grant-list', id: 7 });
    anonymous.ws.close();
    authed.ws.close();
  });
});

describe('frame size and session', () => {
  test('a frame over the limit gets 1002 and the connection lives; far over it, the socket is closed (1009)', async () => {
    const socket = await openRawSocket(relay.url);
    await socket.authenticate(createTestDevice());
    socket.sendJson({ t: 'grants', id: 1, pad: 'x'.repeat(maxFrameBytes) });
    expect(await socket.next((f) => f.t === 'error')).toMatchObject({ code: errorCodes.frameTooLarge, id: null });
    expect(await requestRaw(socket, { t: 'grants', id: 2 })).toMatchObject({ t: 'grant-list' });
    socket.send('x'.repeat(maxFrameBytes * 3));
    expect((await socket.closed).code).toBe(1009);
    editCanary();
  });

  test('requests before auth get 1004, a second auth 1006, a wrong protocol version 1003, a bad challenge signature 1005', async () => {
    const socket = await openRawSocket(relay.url);
    expect(await requestRaw(socket, { t: 'grants', id: 3 })).toMatchObject({ code: errorCodes.notAuthenticated });
    const device = createTestDevice();
    await socket.authenticate(device);
    expect(
      await requestRaw(socket, {
        t: 'auth',
        id: 4,
        v: protocolVersion,
        device: encodeBase64(device.publicKey),
        relay: relay.publicUrl,
        sig: encodeBase64(new Uint8Array(64)),
      }),
    ).toMatchObject({
      code: errorCodes.alreadyAuthenticated,
    });
    const old = await openRawSocket(relay.url);
    expect(
      await requestRaw(old, {
        t: 'auth',
        id: 5,
        v: 0,
        device: encodeBase64(device.publicKey),
        sig: encodeBase64(new Uint8Array(64)),
      }),
    ).toMatchObject({
      code: errorCodes.unsupportedVersion,
    });
    const forger = await openRawSocket(relay.url);
    const sig = await device.sign(new Uint8Array(32));
    expect(
      await requestRaw(forger, {
        t: 'auth',
        id: 6,
        v: protocolVersion,
        device: encodeBase64(device.publicKey),
        relay: relay.publicUrl,
        sig: encodeBase64(sig),
      }),
    ).toMatchObject({
      code: errorCodes.authFailed,
    });
    expect((await forger.closed).code).toBe(1008);
    socket.ws.close();
  });
});

async function sealAs(device: TestDevice, counter: number, vaultId = vault.vaultId) {
  return encodeEnvelope(
    await sealEnvelope({
      vault: vaultId,
      vaultKey: vault.vaultKey,
      counter,
      members: 3, // genesis, the writer, the reader
      update: Uint8Array.of(counter),
      signer: device,
      random: nodeRandom,
    }),
  );
}

describe('envelopes', () => {
  test('bad signatures get 3001: flipped signature bit, altered ciphertext, altered counter', async () => {
    const socket = await openRawSocket(relay.url);
    await socket.authenticate(writer);
    const env = await sealAs(writer, 100);
    const sig = Buffer.from(env.sig, 'base64');
    sig[0] = (sig[0] ?? 0) ^ 1;
    const cipher = Buffer.from(env.ciphertext, 'base64');
    cipher[0] = (cipher[0] ?? 0) ^ 1;
    for (const [id, bad] of [
      [10, { ...env, sig: sig.toString('base64') }],
      [11, { ...env, ciphertext: cipher.toString('base64') }],
      [12, { ...env, counter: 101 }],
    ] as const) {
      expect(await requestRaw(socket, { t: 'publish', id, env: bad })).toMatchObject({
        t: 'error',
        id,
        code: errorCodes.badSignature,
      });
      editCanary();
    }
    expect(await requestRaw(socket, { t: 'publish', id: 13, env })).toMatchObject({ t: 'ack', id: 13, dup: false });
    socket.ws.close();
  });

  test('a replay is acknowledged as the stored duplicate; another envelope with a used counter gets 3002', async () => {
    const socket = await openRawSocket(relay.url);
    await socket.authenticate(writer);
    const env = await sealAs(writer, 200);
    const first = await requestRaw(socket, { t: 'publish', id: 20, env });
    expect(first).toMatchObject({ t: 'ack', dup: false });
    expect(await requestRaw(socket, { t: 'publish', id: 21, env })).toMatchObject({
      t: 'ack',
      seq: first.seq,
      dup: true,
    });
    for (const [id, counter] of [
      [22, 200],
      [23, 150],
    ] as const) {
      expect(await requestRaw(socket, { t: 'publish', id, env: await sealAs(writer, counter) })).toMatchObject({
        code: errorCodes.replayedCounter,
      });
    }
    editCanary();
    socket.ws.close();
  });

  test('unknown vaults get 2001; non-members 2003/2004; a reader 2004; another author 2007; a non-admin 2005', async () => {
    const outsider = createTestDevice();
    const socket = await openRawSocket(relay.url);
    await socket.authenticate(outsider);
    const unknown = 'unknown-vault-0000000000';
    expect(await requestRaw(socket, { t: 'subscribe', id: 30, vault: unknown, from: 0 })).toMatchObject({
      code: errorCodes.unknownVault,
    });
    expect(await requestRaw(socket, { t: 'publish', id: 31, env: await sealAs(outsider, 1, unknown) })).toMatchObject({
      code: errorCodes.unknownVault,
    });
    expect(await requestRaw(socket, { t: 'subscribe', id: 32, vault: vault.vaultId, from: 0 })).toMatchObject({
      code: errorCodes.notAMember,
    });
    expect(await requestRaw(socket, { t: 'publish', id: 33, env: await sealAs(outsider, 1) })).toMatchObject({
      code: errorCodes.notAWriter,
    });
    expect(await requestRaw(socket, { t: 'publish', id: 34, env: await sealAs(writer, 300) })).toMatchObject({
      code: errorCodes.authorMismatch,
    });
    const self = await signMemberRecord(
      {
        vault: vault.vaultId,
        length: 4,
        head: new Uint8Array(32),
        roles: new Map(),
        frozen: new Map(),
        timeline: new Map(),
        rotations: [],
      },
      { action: 'add', subject: outsider.publicKey, role: 'admin' },
      outsider,
    );
    expect(await requestRaw(socket, { t: 'authorize', id: 35, record: self })).toMatchObject({
      code: errorCodes.notAnAdmin,
    });
    const readerSocket = await openRawSocket(relay.url);
    await readerSocket.authenticate(reader);
    expect(await requestRaw(readerSocket, { t: 'subscribe', id: 36, vault: vault.vaultId, from: 0 })).toMatchObject({
      t: 'subscribed',
    });
    expect(await requestRaw(readerSocket, { t: 'publish', id: 37, env: await sealAs(reader, 1) })).toMatchObject({
      code: errorCodes.notAWriter,
    });
    editCanary();
    socket.ws.close();
    readerSocket.ws.close();
  });

  test('a vault id already taken gets 2002; a genesis that is not one gets 2006', async () => {
    const socket = await openRawSocket(relay.url);
    const device = createTestDevice();
    await socket.authenticate(device);
    const other = await createTestVault();
    const stolen = await signMemberRecord(
      {
        vault: vault.vaultId,
        length: 0,
        head: new Uint8Array(32),
        roles: new Map(),
        frozen: new Map(),
        timeline: new Map(),
        rotations: [],
      },
      { action: 'add', subject: device.publicKey, role: 'admin' },
      device,
    );
    expect(await requestRaw(socket, { t: 'register', id: 40, record: stolen })).toMatchObject({
      code: errorCodes.vaultExists,
    });
    const notGenesis = await signMemberRecord(
      {
        vault: other.vaultId,
        length: 0,
        head: new Uint8Array(32),
        roles: new Map(),
        frozen: new Map(),
        timeline: new Map(),
        rotations: [],
      },
      { action: 'add', subject: createTestDevice().publicKey, role: 'writer' },
      device,
    );
    expect(await requestRaw(socket, { t: 'register', id: 41, record: notGenesis })).toMatchObject({
      code: errorCodes.badRecord,
    });
    socket.ws.close();
  });
});

describe('snapshots', () => {
  test("a writer's snapshot gets 2005; one claiming an unknown sequence 3003; an old one 3004; a forged one 3001", async () => {
    const socket = await openRawSocket(relay.url);
    const admin = vault.owner;
    await socket.authenticate(admin);
    const subscribed = await requestRaw(socket, { t: 'subscribe', id: 50, vault: vault.vaultId, from: 0 });
    const head = Number(subscribed.head);
    const snapAt = async (seq: number) =>
      encodeSnapshot(
        await sealSnapshot({
          vault: vault.vaultId,
          vaultKey: vault.vaultKey,
          seq,
          content: { state: new Uint8Array(2), counters: {} },
          signer: admin,
          random: nodeRandom,
        }),
      );
    const writerSocket = await openRawSocket(relay.url);
    await writerSocket.authenticate(writer);
    const byWriter = encodeSnapshot(
      await sealSnapshot({
        vault: vault.vaultId,
        vaultKey: vault.vaultKey,
        seq: 1,
        content: { state: new Uint8Array(2), counters: {} },
        signer: writer,
        random: nodeRandom,
      }),
    );
    expect(await requestRaw(writerSocket, { t: 'snapshot', id: 50, snap: byWriter })).toMatchObject({
      code: errorCodes.notAnAdmin,
    });
    writerSocket.ws.close();
    expect(await requestRaw(socket, { t: 'snapshot', id: 51, snap: await snapAt(head + 1000) })).toMatchObject({
      code: errorCodes.unknownSequence,
    });
    const forged = { ...(await snapAt(1)), seq: 2 };
    expect(await requestRaw(socket, { t: 'snapshot', id: 52, snap: forged })).toMatchObject({
      code: errorCodes.badSignature,
    });
    expect(await requestRaw(socket, { t: 'snapshot', id: 53, snap: await snapAt(1) })).toMatchObject({ t: 'done' });
    expect(await requestRaw(socket, { t: 'snapshot', id: 54, snap: await snapAt(1) })).toMatchObject({
      code: errorCodes.staleSnapshot,
    });
    editCanary();
    socket.ws.close();
  });
});
