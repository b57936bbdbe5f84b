// What an envelope seals behind its header (protocol v5): the Yjs generations of the author it writes
// under (client-ids.ts) and the Yjs update. `u32 n ‖ n × u32 generation ‖ update`, generations strictly
// ascending, 1 ≤ n ≤ MAX_GENERATIONS (an update with no structs, a pure deletion, names none: n = 0).
import { concatBytes, encodeU32, readU32 } from '../crypto/bytes';
import { MAX_GENERATIONS } from './client-ids';

/** A change as sealed in an envelope. */
export type Change = Readonly<{ generations: readonly number[]; update: Uint8Array }>;

/** Encodes a change for sealing; throws on generations out of order or too many (a caller's bug). */
export function encodeChange(change: Change): Uint8Array {
  const { generations } = change;
  if (generations.length > MAX_GENERATIONS) throw new RangeError('too many generations in one change');
  for (let i = 1; i < generations.length; i++)
    if ((generations[i] ?? 0) <= (generations[i - 1] ?? 0)) throw new RangeError('generations not ascending');
  return concatBytes([encodeU32(generations.length), ...generations.map(encodeU32), change.update]);
}

/** Decodes a sealed change; null when its framing is not one (every peer refuses it alike). */
export function decodeChange(bytes: Uint8Array): Change | null {
  if (bytes.length < 4) return null;
  const count = readU32(bytes, 0);
  if (count > MAX_GENERATIONS || bytes.length < 4 + 4 * count) return null;
  const generations: number[] = [];
  for (let i = 0; i < count; i++) {
    const generation = readU32(bytes, 4 + 4 * i);
    if (i > 0 && generation <= (generations[i - 1] ?? 0)) return null;
    generations.push(generation);
  }
  return { generations, update: bytes.subarray(4 + 4 * count) };
}
