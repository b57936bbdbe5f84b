// Issue #11, item 2: a second base64 spelling of the same key. Base64 of 32 bytes has two spare bits;
// setting them gives another string for the same bytes. The relay kept maps by the wire string and its
// unique index by bytes, so a republished envelope with its author re-spelled passed the counter check,
// broke the index, and rolled back every other vault's envelopes committed in the same turn.
import { expect, test } from 'vitest';
import { encodeBase64 } from '../../../shared/crypto/bytes';
import { signAuthFrame } from '../../../shared/sync/auth';
import { errorCodes } from '../../../shared/sync/codes';
import { encodeEnvelope, sealEnvelope } from '../../../shared/sync/envelope';
import { createVault } from '../../../shared/sync/link';
import { createTestDevice, nodeRandom, type TestDevice } from './harness';
import { openRawSocket, requestRaw, type AnyFrame, type RawSocket } from './raw-socket';
import { useRelay } from './use-relay';

const relay = useRelay();

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The same 32 bytes spelled with a spare bit set: decodes identically, is not canonical. */
function respell(canonical: string): string {
  const last = canonical.length - 2; // 44 characters, one '=': the character before it carries 2 spare bits
  const value = alphabet.indexOf(canonical.charAt(last));
  return canonical.slice(0, last) + alphabet.charAt(value | 1) + canonical.slice(last + 1);
}

type Owner = Readonly<{ device: TestDevice; socket: RawSocket; seal: (counter: number) => Promise<unknown> }>;

async function owner(spelling: (key: string) => string = (key) => key): Promise<Owner> {
  const device = createTestDevice();
  const vault = await createVault(device, nodeRandom);
  const socket = await openRawSocket(relay().url);
  const auth = await signAuthFrame(device, socket.challenge(), new URL(relay().url).href);
  const from = socket.frames.length;
  socket.sendJson({ ...auth, device: spelling(auth.device) });
  const answer = await socket.next((f) => f.t === 'authed' || f.t === 'error', from);
  if (answer.t !== 'authed') return { device, socket, seal: () => Promise.resolve(answer) };
  expect(await requestRaw(socket, { t: 'register', id: 1, record: vault.genesis })).toMatchObject({ t: 'done' });
  const seal = async (counter: number) =>
    encodeEnvelope(
      await sealEnvelope({
        vault: vault.vaultId,
        vaultKey: vault.vaultKey,
        counter,
        members: 1,
        update: Uint8Array.of(counter),
        signer: device,
        random: nodeRandom,
      }),
    );
  return { device, socket, seal };
}

test('the relay refuses a re-spelled key at sign-in and in an envelope', async () => {
  const device = createTestDevice();
  expect(respell(encodeBase64(device.publicKey))).not.toBe(encodeBase64(device.publicKey));
  expect(Buffer.from(respell(encodeBase64(device.publicKey)), 'base64')).toEqual(Buffer.from(device.publicKey));
  const respelled = await owner(respell);
  expect((await respelled.seal(1)) as AnyFrame).toMatchObject({ t: 'error', code: errorCodes.malformedFrame });

  const honest = await owner();
  const env = (await honest.seal(1)) as { author: string };
  const answer = await requestRaw(honest.socket, { t: 'publish', id: 2, env: { ...env, author: respell(env.author) } });
  expect(answer).toMatchObject({ t: 'error', code: errorCodes.malformedFrame });
});

test('a republished envelope with its author re-spelled cannot take 20 honest publishes of other vaults down with it', async () => {
  // The attacker publishes once, then signs in with its key re-spelled (refused now; accepted before).
  const attacker = await owner();
  const first = (await attacker.seal(1)) as { author: string };
  expect(await requestRaw(attacker.socket, { t: 'publish', id: 2, env: first })).toMatchObject({ t: 'ack' });
  const respelled = await openRawSocket(relay().url);
  const auth = await signAuthFrame(attacker.device, respelled.challenge(), new URL(relay().url).href);
  respelled.sendJson({ ...auth, device: respell(auth.device) });
  await respelled.next((f) => f.t === 'authed' || f.t === 'error');

  const honest = await Promise.all(Array.from({ length: 20 }, () => owner()));
  const envelopes = await Promise.all(honest.map((o) => o.seal(1)));
  const from = honest.map((o) => o.socket.frames.length);
  const attackFrom = respelled.frames.length;
  // All in one go, so the relay reads them in one turn and commits them as one group.
  respelled.sendJson({ t: 'publish', id: 3, env: { ...first, author: respell(first.author) } });
  honest.forEach((o, i) => o.socket.sendJson({ t: 'publish', id: 7, env: envelopes[i] }));

  const answers = await Promise.all(honest.map((o, i) => o.socket.next((f) => f.id === 7, from[i])));
  expect(answers.filter((a) => a.t === 'ack')).toHaveLength(20);
  const attack = await respelled.next((f) => f.t === 'error', attackFrom);
  expect([errorCodes.malformedFrame, errorCodes.notAuthenticated]).toContain(attack.code);
});
