// The log replica and the vault judge in a Web Worker (protocol v5): decoding and judging a member's change
// — up to a whole hostile envelope — never runs on the UI thread. One worker per vault's engine; it
// answers each request in order, so the replica changes exactly in log order.
import { judgeVaultChange } from '../../../../shared/entries/change-judge';
import { ReplicaCore } from '../../../../shared/sync/judge';
import type { ReplicaRequest, ReplicaResponse } from './replica-messages';

let core: ReplicaCore | null = null;

function run(request: ReplicaRequest): unknown {
  if (request.method === 'init') {
    core = new ReplicaCore(request.vaultId, judgeVaultChange);
    return null;
  }
  if (!core) throw new Error('the replica worker was not initialised');
  switch (request.method) {
    case 'load':
      return core.load(request.state, request.pending);
    case 'settle':
      return core.settle(request.entry);
    case 'settleOwn':
      return core.settleOwn(request.counter, request.entry);
    case 'propose':
      return core.propose(request.counter, request.entry);
    case 'forget':
      return core.forget(request.counter);
    case 'applySnapshot':
      return core.applySnapshot(request.state);
    case 'encode':
      return core.encode();
  }
}

self.onmessage = (event: MessageEvent<ReplicaRequest & { id: number }>) => {
  const { id } = event.data;
  let response: ReplicaResponse;
  try {
    response = { id, ok: true, value: run(event.data) };
  } catch (error) {
    response = { id, ok: false, message: String(error) };
  }
  self.postMessage(response);
};
