// The targets of the sync benchmark (issue #12), each with its measured figure and whether it is met,
// so a run says by itself where Regvault stands against the plaintext relay.
import { round2 } from './sync-regvault';

type Receivers = Readonly<{ everyReceiver: { p50: number }; relayCpuMicrosPerEdit: number | null }>;
type LatencyRow = Readonly<{ clients: number; rounds: number; plaintext: Receivers; regvaultFull: Receivers }>;
type ThroughputRun = Readonly<{ perSecond: number; serverCpuMicrosPerItem: number | null }>;
type Throughput = Readonly<{ plaintext: ThroughputRun; regvaultFull: ThroughputRun }>;
type Connections = Readonly<{ requested: number; held: number; relayRssMiB: number | null }>;

const atMost = (value: number | null, target: number) => ({ value, target, met: value !== null && value <= target });

/** Every target of the sync bench, measured with durability full (ack after the commit is on disk). */
export function syncTargets(latency: readonly LatencyRow[], throughput: Throughput, connections: Connections) {
  const row = (clients: number) => latency.find((l) => l.clients === clients);
  const p50Ratio = (clients: number, target: number) => {
    const l = row(clients);
    return atMost(l ? round2(l.regvaultFull.everyReceiver.p50 / l.plaintext.everyReceiver.p50) : null, target);
  };
  const hundred = row(100);
  const interactiveCpu = latency.map((l) => l.regvaultFull.relayCpuMicrosPerEdit ?? Infinity);
  const throughputRatio = round2(throughput.regvaultFull.perSecond / throughput.plaintext.perSecond);
  return {
    editToVisibleP50RatioToPlaintext: {
      clients2: p50Ratio(2, 1.5),
      clients10: p50Ratio(10, 1.5),
      clients100: p50Ratio(100, 2),
    },
    relayCpuMicrosPerEnvelope: {
      pipelined: atMost(throughput.regvaultFull.serverCpuMicrosPerItem, 60),
      // One edit at a time with 2 clients: each edit is its own envelope, its own commit.
      interactive: atMost(row(2)?.regvaultFull.relayCpuMicrosPerEdit ?? null, 60),
      interactiveWorstClientCount: Math.max(...interactiveCpu),
    },
    throughputRatioToPlaintext: { value: throughputRatio, target: 0.8, met: throughputRatio >= 0.8 },
    hundredClientsThousandEdits: {
      edits: hundred?.rounds ?? 0,
      met: (hundred?.rounds ?? 0) >= 1000 && p50Ratio(100, 2).met,
    },
    idleConnections: {
      held: connections.held,
      of: connections.requested,
      rssMiB: atMost(connections.relayRssMiB, 250),
      met: connections.held === connections.requested && atMost(connections.relayRssMiB, 250).met,
    },
  };
}
