// Main asks the renderer for what a helper request needs: the vault and its decryption live there
// (IndexedDB, unlocked session), so main never holds a served secret longer than one answer. Each
// question goes out as the `helper:request` event with a random id; the renderer answers through the
// `helper:answer` channel; no answer within the deadline counts as "did not answer", never a hang.
import { randomBytes } from 'node:crypto';
import type { EventPayload, RequestOf } from '../../../shared/ipc/contract';

/** A question to the renderer (`helper:request`). */
export type HelperQuestion = EventPayload<'helper:request'>;

/** The renderer's answer to one question. */
export type HelperAnswer = RequestOf<'helper:answer'>['answer'];

/** How long main waits for the renderer (it may have to open a vault first). */
export const RENDERER_DEADLINE_MS = 10_000;

/** Sends a question to the renderer; false when there is no window to ask. */
export type AskRenderer = (question: HelperQuestion) => boolean;

/** The open questions and their answers. */
export type HelperBroker = Readonly<{
  ask: (question: Omit<HelperQuestion, 'id'>) => Promise<HelperAnswer | 'no-window' | 'no-answer'>;
  answer: (id: string, answer: HelperAnswer) => boolean;
  /** Questions still waiting (for tests: nothing is left behind). */
  pending: () => number;
}>;

/** Creates the broker; `send` is attached later when the window (or the test page) exists. */
export function createHelperBroker(timeoutMs: number = RENDERER_DEADLINE_MS) {
  const waiting = new Map<string, (answer: HelperAnswer | 'no-answer') => void>();
  let send: AskRenderer = () => false;
  const broker: HelperBroker = {
    async ask(question) {
      const id = randomBytes(16).toString('hex');
      const answer = new Promise<HelperAnswer | 'no-answer'>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve('no-answer');
        }, timeoutMs);
        waiting.set(id, (value) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(value);
        });
      });
      if (send({ id, ...question })) return answer;
      waiting.get(id)?.('no-answer');
      await answer;
      return 'no-window';
    },
    answer(id, answer) {
      const resolve = waiting.get(id);
      if (resolve === undefined) return false;
      resolve(answer);
      return true;
    },
    pending: () => waiting.size,
  };
  return { broker, attach: (next: AskRenderer) => void (send = next) };
}
