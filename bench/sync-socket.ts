// Lean sockets for the throughput and connection benches: frames are pre-serialized and answers are
// counted by prefix, so the bench process spends its time on the wire rather than on parsing.
import WebSocket from 'ws';
import { signAuthFrame } from '../shared/sync/auth';
import { decodeBase64 } from '../shared/crypto/bytes';
import type { DeviceSigner } from '../shared/sync/ports';

/** An authenticated connection to the Regvault relay that counts frames by their type prefix. */
export type BenchSocket = Readonly<{
  ws: WebSocket;
  count: (prefix: string) => number;
  /** Resolves once `count(prefix)` reaches `target`. */
  waitFor: (prefix: string, target: number, timeoutMs?: number) => Promise<void>;
  send: (text: string) => void;
}>;

const prefixes = ['{"t":"authed"', '{"t":"ack"', '{"t":"env"', '{"t":"subscribed"', '{"t":"error"', '{"t":"done"'];

/** Opens a socket, answers the challenge with `device` and resolves once authenticated. */
export async function openBenchSocket(url: string, device: DeviceSigner): Promise<BenchSocket> {
  const ws = new WebSocket(url);
  const counts = new Map<string, number>();
  const waiters: (() => void)[] = [];
  let hello: ((challenge: string) => void) | null = null;
  const challenge = new Promise<string>((resolve) => (hello = resolve));
  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (hello && text.startsWith('{"t":"hello"')) {
      hello((JSON.parse(text) as { challenge: string }).challenge);
      hello = null;
    }
    const prefix = prefixes.find((p) => text.startsWith(p)) ?? text.slice(0, 12);
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    for (const waiter of waiters.splice(0)) waiter();
  });
  ws.on('error', () => undefined);
  const count = (prefix: string) => counts.get(prefix) ?? 0;
  const waitFor = (prefix: string, target: number, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${prefix}: ${count(prefix)}/${target} after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (count(prefix) >= target) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  ws.send(JSON.stringify(await signAuthFrame(device, decodeBase64(await challenge), new URL(url).href)));
  await waitFor('{"t":"authed"', 1, 30_000);
  return { ws, count, waitFor, send: (text) => ws.send(text) };
}

/** Subscribes a bench socket to a vault from `from` and waits for the answer. */
export async function subscribeBenchSocket(socket: BenchSocket, vault: string, from: number): Promise<void> {
  const before = socket.count('{"t":"subscribed"');
  socket.send(JSON.stringify({ t: 'subscribe', id: 1, vault, from }));
  await socket.waitFor('{"t":"subscribed"', before + 1, 30_000);
}
