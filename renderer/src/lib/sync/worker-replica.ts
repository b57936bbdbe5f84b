// A `JudgeReplica` whose replica document and judge run in a Web Worker (judge-worker.ts), so the UI thread
// only decrypts and applies what the judge accepted. Requests are answered in the order they were sent.
import type { JudgeReplica } from '../../../../shared/sync/judge';
import type { ReplicaRequest, ReplicaResponse } from './replica-messages';

type Waiting = Readonly<{ resolve: (value: unknown) => void; reject: (error: Error) => void }>;

/** Starts a replica worker for one vault's engine; `dispose` terminates it. */
export function createWorkerReplica(vaultId: string): JudgeReplica {
  const worker = new Worker(new URL('./judge-worker.ts', import.meta.url), { type: 'module' });
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let failure: Error | null = null;
  worker.onmessage = (event: MessageEvent<ReplicaResponse>) => {
    const response = event.data;
    const waiter = waiting.get(response.id);
    waiting.delete(response.id);
    if (response.ok) waiter?.resolve(response.value);
    else waiter?.reject(new Error(response.message));
  };
  worker.onerror = (event) => {
    failure = new Error(`the judge worker failed: ${event.message}`);
    for (const waiter of waiting.values()) waiter.reject(failure);
    waiting.clear();
  };
  const call = <T>(request: ReplicaRequest): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };
  void call({ method: 'init', vaultId });
  return {
    load: (state, pending) => call({ method: 'load', state, pending }),
    settle: (entry) => call({ method: 'settle', entry }),
    settleOwn: (counter, entry) => call({ method: 'settleOwn', counter, entry }),
    propose: (counter, entry) => call({ method: 'propose', counter, entry }),
    forget: (counter) => call({ method: 'forget', counter }),
    applySnapshot: (state) => call({ method: 'applySnapshot', state }),
    encode: () => call({ method: 'encode' }),
    dispose: () => {
      worker.terminate();
      for (const waiter of waiting.values()) waiter.reject(new Error('the judge worker was stopped'));
      waiting.clear();
    },
  };
}
