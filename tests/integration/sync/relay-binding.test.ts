// A device's proof of its key is bound to the relay it meant to reach. A malicious relay that hands
// its client the challenge of another (honest) relay and forwards the answer must not be let in
// there; a client never sends anything over plain ws:// to a host that is not this machine.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type WebSocket from 'ws';
import { errorCodes, SyncProtocolError } from '../../../shared/sync/codes';
import { createVault } from '../../../shared/sync/link';
import { systemClock, type ConnectSocket } from '../../../shared/sync/ports';
import { openRelayConnection } from '../../../shared/sync/relay-connection';
import { protocolVersion } from '../../../shared/sync/wire-records';
import type { SyncStatus } from '../../../shared/sync/engine-core';
import { createTestVault } from './clients';
import {
  connectNodeSocket,
  createTestClient,
  createTestDevice,
  nodeRandom,
  openRawSession,
  removeDataDir,
  startRelayProcess,
  waitForStatus,
  withTimeout,
  type RelayProcess,
} from './harness';
import { startProxyRelay, type ProxiedAuth } from './proxy-relay';
import { openRawSocket } from './raw-socket';

let honest: RelayProcess;
let behindTls: RelayProcess;
beforeAll(async () => {
  [honest, behindTls] = await Promise.all([
    startRelayProcess(),
    startRelayProcess({ args: ['--public-url', 'wss://relay.example.com'] }),
  ]);
});
afterAll(async () => {
  for (const relay of [honest, behindTls]) {
    await relay.kill();
    removeDataDir(relay);
  }
});

const open = (url: string, device = createTestDevice(), connect: ConnectSocket = connectNodeSocket) =>
  openRelayConnection({ url, connect, signer: device, clock: systemClock, timeoutMs: 10_000 });

/** The code a rejected session open carried. */
async function refusal(opening: Promise<unknown>): Promise<number> {
  const error = await opening.then(
    () => null,
    (e: unknown) => e,
  );
  return error instanceof SyncProtocolError ? error.code : -1;
}

/** Resolves with the close code of the proxy's own socket to the honest relay. */
const closeOf = (upstream: WebSocket) =>
  new Promise<number>((resolve) => {
    if (upstream.readyState === upstream.CLOSED) resolve(-1);
    upstream.once('close', (code) => resolve(code));
  });

describe('a relay proxying another relay’s challenge', () => {
  test('the honest relay refuses the forwarded auth, so the proxy cannot act as the device there', async () => {
    const victim = createTestDevice();
    const vault = await createVault(victim, nodeRandom);
    const own = await openRawSession(honest.url, victim);
    await own.session.request({ t: 'register', record: vault.genesis });
    own.session.close();

    const proxy = await startProxyRelay(honest.url);
    try {
      const opening = open(proxy.url, victim);
      const stolen: ProxiedAuth = await withTimeout(proxy.nextAuth(), 10_000, 'the proxy saw no auth');
      const closed = closeOf(stolen.upstream);
      expect(stolen.answer).toMatchObject({ t: 'error', code: errorCodes.wrongRelay });
      expect(String(stolen.answer.message)).toContain(`${proxy.url}/`);
      expect(await refusal(opening)).toBe(errorCodes.wrongRelay);
      expect(await closed).toBe(1008);
    } finally {
      await proxy.close();
    }
  });

  test('rewriting the signed relay address in the forwarded auth breaks its signature', async () => {
    const proxy = await startProxyRelay(honest.url, (auth) => ({ ...auth, relay: `${honest.url}/` }));
    try {
      const opening = open(proxy.url);
      const stolen = await withTimeout(proxy.nextAuth(), 10_000, 'the proxy saw no auth');
      expect(stolen.answer).toMatchObject({ t: 'error', code: errorCodes.authFailed });
      expect(await refusal(opening)).toBe(errorCodes.authFailed);
    } finally {
      await proxy.close();
    }
  });

  test('a device that connects to the honest relay directly is let in', async () => {
    const session = await open(honest.url);
    expect(session.maxFrameBytes).toBeGreaterThan(0);
    session.close();
  });
});

describe('the relay’s public URL', () => {
  test('a relay told it is wss://relay.example.com refuses auth signed for its loopback address, and says which one it is', async () => {
    expect(await refusal(open(behindTls.url))).toBe(errorCodes.wrongRelay);
    const direct = await openRawSocket(behindTls.url);
    await expect(direct.authenticate(createTestDevice())).rejects.toThrow(/"code":1007.*wss:\/\/relay\.example\.com\//);
  });

  test('a loopback relay derives its public URL from where it listens; it prints the one it was given', () => {
    expect(honest.publicUrl).toBe(`${honest.url}/`);
    expect(behindTls.publicUrl).toBe('wss://relay.example.com/');
  });

  test('a client that reached it as wss://relay.example.com (through a TLS terminator) is let in', async () => {
    const reached: string[] = [];
    const throughTerminator: ConnectSocket = (url, handlers) => {
      reached.push(url);
      return connectNodeSocket(behindTls.url, handlers);
    };
    const session = await open('wss://relay.example.com', createTestDevice(), throughTerminator);
    expect(reached).toEqual(['wss://relay.example.com/']);
    session.close();
  });

  test('an older client (protocol v1) is told to update', async () => {
    const socket = await openRawSocket(honest.url);
    socket.sendJson({ t: 'auth', id: 0, v: 1, device: 'A'.repeat(43) + '=', sig: 'A'.repeat(86) + '==' });
    const answer = await socket.next((f) => f.t === 'error');
    expect(answer).toMatchObject({ code: errorCodes.unsupportedVersion });
    expect(String(answer.message)).toMatch(/update Regvault/);
    expect(protocolVersion).toBeGreaterThan(1);
    expect((await socket.closed).code).toBe(1008);
  });
});

/** A connect function that records every address dialled and reaches the honest relay whatever it is. */
function dialRecorder() {
  const attempts: string[] = [];
  const connect: ConnectSocket = (target, handlers) => {
    attempts.push(target);
    return connectNodeSocket(honest.url, handlers);
  };
  return { attempts, connect };
}

describe('plain ws:// only to this machine', () => {
  test.each(['ws://relay.example.com', 'ws://10.0.0.5:8787', 'ws://[::2]:8787', 'ws://localhost.example.com'])(
    '%s is refused before anything is sent',
    async (url) => {
      const dial = dialRecorder();
      expect(await refusal(open(url, createTestDevice(), dial.connect))).toBe(errorCodes.relayUrlRefused);
      expect(dial.attempts).toEqual([]);
    },
  );

  test.each(['ws://127.0.0.1', 'ws://localhost', 'ws://[::1]', 'ws://127.8.9.10', 'wss://relay.example.com'])(
    '%s is connected to',
    async (url) => {
      const dial = dialRecorder();
      // The honest relay is elsewhere, so it refuses the address: the client did connect and sign.
      expect(await refusal(open(`${url}:1234`, createTestDevice(), dial.connect))).toBe(errorCodes.wrongRelay);
      expect(dial.attempts).toEqual([`${url}:1234/`]);
    },
  );
});

describe('what the engine shows', () => {
  const errorCode = (status: SyncStatus) => (typeof status === 'object' && 'error' in status ? status.error.code : 0);

  async function engineOn(relayUrl: string, connect: ConnectSocket) {
    const vault = await createTestVault();
    const client = createTestClient({
      relayUrl,
      vaultId: vault.vaultId,
      vaultKey: vault.vaultKey,
      device: vault.owner,
      members: [vault.genesis],
      connect,
    });
    await client.engine.start();
    return client;
  }

  test('pointed at plain ws:// on another machine, it stops with 4014 and never dials', async () => {
    const dial = dialRecorder();
    const client = await engineOn('ws://relay.example.com:8787', dial.connect);
    const status = await waitForStatus(client.engine, (s) => errorCode(s) !== 0);
    expect(status).toEqual({
      error: { code: errorCodes.relayUrlRefused, message: expect.stringContaining('Use wss://relay.example.com:8787') },
      fatal: true,
    });
    expect(dial.attempts).toEqual([]);
    await client.engine.stop();
  });

  test('behind a relay proxying another one, it reports 1007 and the honest relay never let it in', async () => {
    const proxy = await startProxyRelay(honest.url);
    try {
      const client = await engineOn(proxy.url, connectNodeSocket);
      const stolen = await withTimeout(proxy.nextAuth(), 10_000, 'the proxy saw no auth');
      expect(stolen.answer).toMatchObject({ t: 'error', code: errorCodes.wrongRelay });
      await waitForStatus(client.engine, (s) => errorCode(s) === errorCodes.wrongRelay);
      await client.engine.stop();
    } finally {
      await proxy.close();
    }
  });
});
