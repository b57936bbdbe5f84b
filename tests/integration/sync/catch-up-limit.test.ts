// Subscribe amplification against a real relay process: a member's catch-up is answered from the
// position it holds, and asking again and again for what it already received (a subscribe from 0) is
// refused beyond the relay's per-member rate (here 2 an hour, 2013) — it does not get the whole log again.
import { expect, test } from 'vitest';
import { errorCodes } from '../../../shared/sync/codes';
import type { RelayFrame } from '../../../shared/sync/wire-frames';
import { createTestVault, sealedTestEnvelope, type TestVault } from './clients';
import { openRawSession } from './harness';
import { useRelay } from './use-relay';

const relay = useRelay(['--full-catch-ups-per-hour', '2']);

const sealed = sealedTestEnvelope;

/** Subscribes from `from` on a fresh connection; the answer (or error code) and the envelopes sent. */
async function subscribeFrom(vault: TestVault, from: number) {
  const frames: RelayFrame[] = [];
  const { session } = await openRawSession(relay().url, vault.owner, (frame) => frames.push(frame));
  try {
    const answer = await session.request({ t: 'subscribe', vault: vault.vaultId, from }).then(
      (frame) => frame.t,
      (error: unknown) => String(error),
    );
    // The catch-up follows the answer in the same turn of the relay: one more round trip flushes it.
    await session.request({ t: 'grants' });
    return { answer, envelopes: frames.filter((f) => f.t === 'env').length };
  } finally {
    session.close();
  }
}

test('repeated subscribes from the start do not re-send the whole log; from the held position they always work', async () => {
  const vault = await createTestVault();
  const { session } = await openRawSession(relay().url, vault.owner);
  await session.request({ t: 'register', record: vault.genesis });
  for (let counter = 1; counter <= 5; counter++)
    await session.request({ t: 'publish', env: await sealed(vault, counter) });
  session.close();

  // The first catch-up from 0 is what a new device needs; two more re-reads are allowed this hour.
  for (let read = 0; read < 3; read++)
    expect(await subscribeFrom(vault, 0)).toEqual({ answer: 'subscribed', envelopes: 5 });
  const refused = await subscribeFrom(vault, 0);
  expect(refused.answer).toMatch(new RegExp(`error ${errorCodes.catchUpLimited}`));
  expect(refused.envelopes).toBe(0);
  expect(await subscribeFrom(vault, 3)).toMatchObject({ answer: expect.stringMatching(/error 2013/) as unknown });
  // A reconnect from the position it holds is served, however often.
  for (let read = 0; read < 5; read++)
    expect(await subscribeFrom(vault, 5)).toEqual({ answer: 'subscribed', envelopes: 0 });
});
