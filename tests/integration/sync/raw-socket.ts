// A bare WebSocket to the relay for sending frames no well-behaved client would send.
import WebSocket from 'ws';
import { signAuthFrame } from '../../../shared/sync/auth';
import { decodeBase64 } from '../../../shared/crypto/bytes';
import type { DeviceSigner } from '../../../shared/sync/ports';

/** A parsed frame from the relay. */
export type AnyFrame = Readonly<Record<string, unknown> & { t: string }>;

/** A raw connection: every received frame parsed, waits on frame counts and close. */
export type RawSocket = Readonly<{
  ws: WebSocket;
  frames: AnyFrame[];
  challenge: () => Uint8Array;
  send: (data: string | Buffer) => void;
  sendJson: (frame: object) => void;
  /** Resolves with the first frame from index `from` matching `predicate`. */
  next: (predicate: (frame: AnyFrame) => boolean, from?: number, timeoutMs?: number) => Promise<AnyFrame>;
  /** Resolves once `count` frames arrived in total. */
  waitForCount: (count: number, timeoutMs?: number) => Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  authenticate: (device: DeviceSigner) => Promise<void>;
}>;

/** Opens a raw socket and waits for the relay's hello. */
export async function openRawSocket(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
  const frames: AnyFrame[] = [];
  let notify: () => void = () => undefined;
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString('utf8')) as AnyFrame);
    notify();
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const waitUntil = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (check()) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`${what} not received within ${timeoutMs} ms (${frames.length} frames)`)),
        timeoutMs,
      );
      const previous = notify;
      notify = () => {
        previous();
        if (!check()) return;
        clearTimeout(timer);
        resolve();
      };
    });
  const socket: RawSocket = {
    ws,
    frames,
    challenge: () => decodeBase64(String(frames.find((f) => f.t === 'hello')?.challenge)),
    send: (data) => ws.send(data),
    sendJson: (frame) => ws.send(JSON.stringify(frame)),
    next: async (predicate, from = 0, timeoutMs = 10_000) => {
      await waitUntil(() => frames.slice(from).some(predicate), timeoutMs, 'matching frame');
      return frames.slice(from).find(predicate) as AnyFrame;
    },
    waitForCount: (count, timeoutMs = 20_000) => waitUntil(() => frames.length >= count, timeoutMs, `${count} frames`),
    closed,
    authenticate: async (device) => {
      const from = frames.length;
      socket.sendJson(await signAuthFrame(device, socket.challenge(), new URL(url).href));
      const answer = await socket.next((f) => f.t === 'authed' || f.t === 'error', from);
      if (answer.t !== 'authed') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
    },
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await socket.next((f) => f.t === 'hello');
  return socket;
}

/** Sends a request and resolves with the answer carrying its id. */
export async function requestRaw(
  socket: RawSocket,
  frame: Readonly<{ id: number } & Record<string, unknown>>,
): Promise<AnyFrame> {
  const from = socket.frames.length;
  socket.sendJson(frame);
  return socket.next((f) => f.id === frame.id && f.t !== 'member' && f.t !== 'env', from);
}
