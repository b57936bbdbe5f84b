// Prometheus metrics of one relay node (GET /metrics), through prom-client: connections, committed
// envelopes (a counter: envelopes per second is its rate), commit latency, errors by code, and the
// database pool. One registry per relay, so several relays in one process do not share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RelayStore } from './store';

/** The metrics a relay updates. */
export type RelayMetrics = ReturnType<typeof createRelayMetrics>;

/** Creates the registry and its metrics; `connections` and the pool are read when scraped. */
export function createRelayMetrics(store: RelayStore, connections: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'regvault_relay_process_' });
  new Gauge({
    name: 'regvault_relay_connections',
    help: 'Open WebSocket connections',
    registers: [registry],
    collect() {
      this.set(connections());
    },
  });
  const pool = new Gauge({
    name: 'regvault_relay_db_pool_connections',
    help: 'Database pool connections by state (PostgreSQL only)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = store.poolStats();
      if (!stats) return;
      pool.set({ state: 'total' }, stats.total);
      pool.set({ state: 'idle' }, stats.idle);
      pool.set({ state: 'waiting' }, stats.waiting);
    },
  });
  const envelopes = new Counter({
    name: 'regvault_relay_envelopes_committed_total',
    help: 'Envelopes committed (rate() gives envelopes per second)',
    registers: [registry],
  });
  const commits = new Histogram({
    name: 'regvault_relay_commit_seconds',
    help: 'Latency of one group commit (one transaction)',
    labelNames: ['result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'regvault_relay_errors_total',
    help: 'Error frames sent, by protocol error code',
    labelNames: ['code'],
    registers: [registry],
  });
  return {
    registry,
    /** Records one group commit of `items` envelopes. */
    observeCommit: (items: number, seconds: number, failed: boolean) => {
      commits.observe({ result: failed ? 'failed' : 'ok' }, seconds);
      if (!failed) envelopes.inc(items);
    },
    /** Counts an error frame. */
    countError: (code: number) => errors.inc({ code: String(code) }),
  };
}
