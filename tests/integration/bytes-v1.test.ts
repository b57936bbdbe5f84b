// The bytes that stored records, passphrase keys and signatures depend on are the ones the code produced
// before the byte and sealing primitives were folded into one module (tests/fixtures/bytes-v1.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { computeByteVectors } from '../fixtures/byte-vectors';

test('encodings, subkeys, passphrase keys, protocol messages and sealed records are byte-identical to v1', async () => {
  const pinned = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'bytes-v1.json'), 'utf8'),
  ) as unknown;
  expect(await computeByteVectors()).toEqual(pinned);
});
