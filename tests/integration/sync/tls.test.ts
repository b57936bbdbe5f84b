// A relay serving wss:// itself (--tls-cert/--tls-key): a client that trusts the relay's CA signs in;
// one that does not is refused at the TLS handshake, and the error says why (the certificate).
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import type NodeWebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorCodes, SyncProtocolError } from '../../../shared/sync/codes';
import { systemClock, type ConnectSocket } from '../../../shared/sync/ports';
import { openRelayConnection } from '../../../shared/sync/relay-connection';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certs';
import { createTestDevice, removeDataDir, startRelayProcess, type RelayProcess } from './harness';

const WebSocket = createRequire(import.meta.url)('ws') as typeof NodeWebSocket;

let certs: TestCertificates;
let relay: RelayProcess;
beforeAll(async () => {
  certs = makeTestCertificates();
  relay = await startRelayProcess({ args: ['--tls-cert', certs.cert, '--tls-key', certs.key] });
});
afterAll(async () => {
  await relay.kill();
  removeDataDir(relay);
  rmSync(certs.dir, { recursive: true, force: true });
});

/** A Node socket that trusts `ca` (or only the system's CAs) and reports a TLS failure as its close reason. */
function tlsSocket(ca: string | undefined): ConnectSocket {
  return (url, handlers) => {
    const ws = new WebSocket(url, ca ? { ca } : {});
    let failure = '';
    ws.on('open', handlers.onOpen);
    ws.on('message', (data: Buffer) => handlers.onMessage(data.toString('utf8')));
    ws.on('error', (error: Error & { code?: string }) => (failure = `${error.code ?? ''} ${error.message}`.trim()));
    ws.on('close', (code, reason) => handlers.onClose(code, failure || reason.toString()));
    return { send: (data) => ws.send(data), close: (code, reason) => ws.close(code, reason) };
  };
}

const signIn = (connect: ConnectSocket) =>
  openRelayConnection({
    url: relay.publicUrl,
    connect,
    signer: createTestDevice(),
    clock: systemClock,
    timeoutMs: 10_000,
  });

test('the relay announces a wss:// address', () => {
  expect(relay.publicUrl).toBe(`wss://127.0.0.1:${relay.port}/`);
});

test('a client trusting the self-signed CA signs in over wss://', async () => {
  const session = await signIn(tlsSocket(certs.caPem));
  const answer = await session.request({ t: 'grants' });
  expect(answer.t).toBe('grant-list');
  session.close();
});

test('a client that does not trust the CA is refused, and the error names the certificate', async () => {
  const refused = await signIn(tlsSocket(undefined)).then(
    () => null,
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(SyncProtocolError);
  expect((refused as SyncProtocolError).code).toBe(errorCodes.connectionClosed);
  expect((refused as SyncProtocolError).message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|certificate/i);
});
