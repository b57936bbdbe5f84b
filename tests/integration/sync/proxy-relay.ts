// A malicious relay for tests: it speaks to its clients with another relay's voice. For each client it
// opens a socket to the target relay, hands the target's hello (its challenge) to the client and the
// client's answer (its auth) to the target, and records what the target said to that auth. Once the
// target has let it in, the proxy can act as the client's device there on its own.
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** A frame as the proxy sees it. */
type Frame = Readonly<Record<string, unknown> & { t: string }>;

/** What the target relay answered to a client's auth frame, and the proxy's own socket to the target. */
export type ProxiedAuth = Readonly<{ answer: Frame; upstream: WebSocket; auth: Frame }>;

/** A running proxy relay. */
export type ProxyRelay = Readonly<{
  url: string;
  /** Resolves with the target's answer to the next client's auth frame. */
  nextAuth: () => Promise<ProxiedAuth>;
  close: () => Promise<void>;
}>;

/** Starts a proxy on a loopback port in front of `targetUrl`; `rewriteAuth` may alter the client's auth. */
export async function startProxyRelay(
  targetUrl: string,
  rewriteAuth: (auth: Frame) => Frame = (auth) => auth,
): Promise<ProxyRelay> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const waiting: ((auth: ProxiedAuth) => void)[] = [];
  const done: ProxiedAuth[] = [];
  const report = (auth: ProxiedAuth) => {
    const waiter = waiting.shift();
    if (waiter) waiter(auth);
    else done.push(auth);
  };
  server.on('connection', (client) => relayThrough(client, targetUrl, rewriteAuth, report));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    nextAuth: () =>
      new Promise((resolve) => {
        const ready = done.shift();
        if (ready) resolve(ready);
        else waiting.push(resolve);
      }),
    close: async () => {
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function relayThrough(
  client: WebSocket,
  targetUrl: string,
  rewriteAuth: (auth: Frame) => Frame,
  report: (auth: ProxiedAuth) => void,
): void {
  const upstream = new WebSocket(targetUrl);
  let auth: Frame | null = null;
  // The upstream socket outlives the client's: once the target let it in, it is the stolen session.
  upstream.on('error', () => client.terminate());
  client.on('error', () => upstream.terminate());
  upstream.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    const frame = JSON.parse(text) as Frame;
    if (auth && (frame.t === 'authed' || frame.t === 'error') && frame.id === auth.id) {
      report({ answer: frame, upstream, auth });
      auth = null;
    }
    if (client.readyState === WebSocket.OPEN) client.send(text);
  });
  client.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    const forwarded = frame.t === 'auth' ? rewriteAuth(frame) : frame;
    if (forwarded.t === 'auth') auth = forwarded;
    const send = () => upstream.send(JSON.stringify(forwarded));
    if (upstream.readyState === WebSocket.OPEN) send();
    else upstream.once('open', send);
  });
}
