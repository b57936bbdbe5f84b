// Every frame a real relay process sends parses with `relayFrameSchema`: the relay builds them all as
// typed `RelayFrame`s through one encoder. The engines' sockets are tapped to record the raw text.
import { expect, test } from 'vitest';
import type { ConnectSocket } from '../../../shared/sync/ports';
import { relayFrameSchema } from '../../../shared/sync/wire-frames';
import { createTestVault, linkDevice, startLinkedClients, waitConverged } from './clients';
import { connectNodeSocket, createTestClient, createTestDevice, waitForStatus, waitSynced } from './harness';
import { useRelay } from './use-relay';

const relay = useRelay();

function tappedConnect(received: string[]): ConnectSocket {
  return (url, handlers) =>
    connectNodeSocket(url, {
      ...handlers,
      onMessage: (data) => {
        received.push(typeof data === 'string' ? data : '<binary>');
        handlers.onMessage(data);
      },
    });
}

test('every frame the relay sends (handshake, catch-up, fan-out, acks, snapshots, errors) parses as a RelayFrame', async () => {
  const received: string[] = [];
  const connect = tappedConnect(received);
  const relayUrl = relay().url;
  const vault = await createTestVault();
  const clients = await startLinkedClients({
    relayUrl,
    vault,
    extra: 1,
    connectFor: () => connect,
    options: { snapshotEvery: 3 },
  });
  for (let i = 0; i < 8; i++) {
    for (const { id, client } of clients) client.doc.getMap<boolean>('ops').set(`${id}-${i}`, true);
  }
  await waitConverged(clients.map((c) => c.client.doc));
  for (const { client } of clients) await waitSynced(client.engine);
  // A late device catches up from the stored snapshot and envelopes.
  const late = createTestDevice();
  const owner = clients[0]?.client;
  if (!owner) throw new Error('no owner client');
  const lateClient = createTestClient({
    relayUrl,
    vaultId: vault.vaultId,
    vaultKey: vault.vaultKey,
    device: late,
    members: await linkDevice(relayUrl, owner, late),
    connect,
  });
  await lateClient.engine.start();
  await waitConverged([owner.doc, lateClient.doc]);
  // A subscription to a vault the relay does not know is answered with an error frame.
  const unknown = await createTestVault();
  const stranger = createTestClient({
    relayUrl,
    vaultId: unknown.vaultId,
    vaultKey: unknown.vaultKey,
    members: [unknown.genesis],
    connect,
  });
  await stranger.engine.start();
  await waitForStatus(stranger.engine, (status) => typeof status === 'object' && 'error' in status);

  const kinds = new Set<string>();
  for (const text of received) {
    const parsed = relayFrameSchema.safeParse(JSON.parse(text));
    expect(parsed.success, text.slice(0, 200)).toBe(true);
    if (parsed.success) kinds.add(parsed.data.t);
  }
  expect([...kinds].sort()).toEqual(
    ['ack', 'authed', 'done', 'env', 'error', 'hello', 'member', 'snap', 'snapshotted', 'subscribed'].sort(),
  );
  for (const client of [...clients.map((c) => c.client), lateClient, stranger]) await client.engine.stop();
});
