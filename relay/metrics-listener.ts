// The metrics listener: GET /metrics on its own address (`--metrics-listen`, e.g. 127.0.0.1:9464), never
// on the public port, so what the relay counts (connections, commit latency, errors by code) is not
// served to every client of the relay.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayMetrics } from './metrics';

/** A bound metrics listener. */
export type MetricsListener = Readonly<{ port: number; close: () => Promise<void> }>;

/** Serves the registry at GET /metrics on `host:port`; resolves once bound. */
export async function listenForMetrics(
  metrics: RelayMetrics,
  at: Readonly<{ host: string; port: number }>,
): Promise<MetricsListener> {
  const http: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics')
      return void response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
    void metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(at.port, at.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  return {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
