import { expect, test } from 'vitest';
import { createMemorySyncStorage, createStorageWriter, type SyncStorageChange } from './storage';
import type { WireEnvelope } from './wire-records';

const env = (counter: number) => ({ counter }) as unknown as WireEnvelope;
const cursor = (head: number) => ({ head, counter: 0, snapshotSeq: 0, authors: {}, members: [], vector: null });

test('the writer runs one commit at a time and folds queued changes into one', async () => {
  const storage = createMemorySyncStorage();
  const commits: SyncStorageChange[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const writer = createStorageWriter(
    {
      load: storage.load,
      commit: async (change) => {
        commits.push(change);
        if (commits.length === 1) await gate;
        await storage.commit(change);
      },
    },
    () => undefined,
  );
  const first = writer.commit({ append: [env(1)], cursor: cursor(1) });
  const queued = [
    writer.commit({ append: [env(2)] }),
    writer.commit({ append: [env(3)], remove: [2] }),
    writer.commit({ cursor: cursor(3) }),
  ];
  release();
  await Promise.all([first, ...queued]);
  expect(commits).toHaveLength(2);
  expect(commits[1]).toEqual({ cursor: cursor(3), append: [env(3)], remove: [2] });
  expect(storage.peek()).toEqual({ cursor: cursor(3), pending: [env(1), env(3)] });
});

test('a failed commit is reported and the writer keeps going', async () => {
  const errors: unknown[] = [];
  let fail = true;
  const storage = createMemorySyncStorage();
  const writer = createStorageWriter(
    {
      load: storage.load,
      commit: (change) => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error('disk full'));
        }
        return storage.commit(change);
      },
    },
    (error) => errors.push(error),
  );
  await writer.commit({ append: [env(1)] });
  await writer.commit({ append: [env(2)] });
  expect(errors).toHaveLength(1);
  expect(storage.peek().pending).toEqual([env(2)]);
});
