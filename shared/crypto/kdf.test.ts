import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { equalBytes } from './bytes';
import { calibrateKdf, type KdfMeasure } from './calibrate';
import { isVaultError } from './errors';
import { createKdfParams, deriveKeyFromPassphrase, KDF_FLOOR, type KdfCost, type KdfParams } from './kdf';

const random = nacl.randomBytes;
const testFloor: KdfCost = { memoryKiB: 64, iterations: 1, parallelism: 1 };
const fast = { testOnlyKdfFloor: testFloor } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isVaultError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('deriveKeyFromPassphrase', () => {
  it('derives a stable 32-byte key with the real default parameters (64 MiB, t=3, p=1)', async () => {
    const params = createKdfParams(KDF_FLOOR, random);
    expect(params).toMatchObject({
      algorithm: 'argon2id',
      version: 0x13,
      memoryKiB: 65536,
      iterations: 3,
      parallelism: 1,
    });
    const a = await deriveKeyFromPassphrase('correct horse battery staple', params);
    const b = await deriveKeyFromPassphrase('correct horse battery staple', params);
    expect(a).toHaveLength(32);
    expect(equalBytes(a, b)).toBe(true);
    const other = await deriveKeyFromPassphrase('correct horse battery staplf', params);
    expect(equalBytes(a, other)).toBe(false);
  });

  it('depends on the salt and on every cost parameter', async () => {
    const params = createKdfParams(testFloor, random, fast);
    const key = await deriveKeyFromPassphrase('pw', params, fast);
    for (const changed of [
      { ...params, salt: random(16) },
      { ...params, memoryKiB: 128 },
      { ...params, iterations: 2 },
      { ...params, parallelism: 2 },
    ]) {
      expect(equalBytes(key, await deriveKeyFromPassphrase('pw', changed, fast))).toBe(false);
    }
  });

  it('treats composed and decomposed forms of the same passphrase alike (NFC)', async () => {
    const params = createKdfParams(testFloor, random, fast);
    const composed = await deriveKeyFromPassphrase('caf\u00e9', params, fast);
    const decomposed = await deriveKeyFromPassphrase('cafe\u0301', params, fast);
    expect(equalBytes(composed, decomposed)).toBe(true);
  });

  it('refuses an empty passphrase', async () => {
    expect(await codeOf(deriveKeyFromPassphrase('', createKdfParams(testFloor, random, fast), fast))).toBe(
      'empty-passphrase',
    );
  });
});

describe('checks of stored KDF parameters', () => {
  const good: KdfParams = createKdfParams(KDF_FLOOR, random);

  it.each<[string, Partial<KdfParams>]>([
    ['less memory', { memoryKiB: 32768 }],
    ['fewer passes', { iterations: 2 }],
  ])('refuses stored parameters with %s than the floor as weak (tampered)', async (_name, change) => {
    expect(await codeOf(deriveKeyFromPassphrase('pw', { ...good, ...change }))).toBe('weak-kdf-params');
  });

  it.each<[string, Partial<KdfParams>]>([
    ['a short salt', { salt: new Uint8Array(8) }],
    ['a fractional cost', { iterations: 3.5 }],
    ['an absurd memory size', { memoryKiB: 64 * 1024 * 1024 }],
    ['an absurd pass count', { iterations: 1_000_000 }],
    ['another version', { version: 0x10 as 0x13 }],
    ['another algorithm', { algorithm: 'argon2i' as 'argon2id' }],
  ])('refuses %s as invalid', async (_name, change) => {
    expect(await codeOf(deriveKeyFromPassphrase('pw', { ...good, ...change }))).toBe('invalid-kdf-params');
  });

  it('accepts the floor and anything stronger', () => {
    expect(createKdfParams(KDF_FLOOR, random)).toMatchObject(KDF_FLOOR);
    expect(() => createKdfParams({ ...KDF_FLOOR, memoryKiB: 131072, iterations: 4 }, random)).not.toThrow();
  });

  it('lowers the floor only through the explicit test-only option', async () => {
    const weak = createKdfParams(testFloor, random, fast);
    expect(() => createKdfParams(testFloor, random)).toThrow(expect.objectContaining({ code: 'weak-kdf-params' }));
    expect(await codeOf(deriveKeyFromPassphrase('pw', weak))).toBe('weak-kdf-params');
    expect(await deriveKeyFromPassphrase('pw', weak, fast)).toHaveLength(32);
  });
});

describe('calibrateKdf', () => {
  // A machine where a run costs `msPerUnit` per KiB·pass.
  function machine(msPerUnit: number): { measure: KdfMeasure; runs: KdfCost[] } {
    const runs: KdfCost[] = [];
    const measure: KdfMeasure = async (cost) => {
      runs.push(cost);
      return cost.memoryKiB * cost.iterations * msPerUnit;
    };
    return { measure, runs };
  }

  it.each([
    [250, { memoryKiB: 262144, iterations: 3, parallelism: 1 }], // Node here: 4x headroom, all of it memory
    [300, { memoryKiB: 131072, iterations: 5, parallelism: 1 }], // Chromium here: 2x memory, then passes
  ])('raises memory first, then passes, toward 1 s when the floor takes %i ms', async (floorMs, expected) => {
    const msPerUnit = floorMs / (65536 * 3);
    const { measure, runs } = machine(msPerUnit);
    const cost = await calibrateKdf(measure);
    expect(cost).toEqual(expected);
    expect(runs[0]).toEqual(KDF_FLOOR);
    const ms = cost.memoryKiB * cost.iterations * msPerUnit;
    expect(ms).toBeGreaterThan(700);
    expect(ms).toBeLessThanOrEqual(1000);
  });

  it('caps memory and passes', async () => {
    const { measure } = machine(10 / (65536 * 3));
    expect(await calibrateKdf(measure, { maxMemoryKiB: 262144, maxIterations: 8 })).toEqual({
      memoryKiB: 262144,
      iterations: 8,
      parallelism: 1,
    });
  });

  it('never goes below the floor on a slow machine', async () => {
    const { measure, runs } = machine(2000 / (65536 * 3));
    expect(await calibrateKdf(measure)).toEqual(KDF_FLOOR);
    expect(runs).toHaveLength(1);
  });

  it('steps back when the confirming run overshoots', async () => {
    let call = 0;
    const measure: KdfMeasure = async (cost) => {
      call++;
      // Memory above 64 MiB is much slower than linear here (e.g. swapping).
      const units = cost.memoryKiB * cost.iterations;
      return call === 1 ? 200 : cost.memoryKiB > 65536 ? (units / (65536 * 3)) * 600 : (units / (65536 * 3)) * 200;
    };
    const cost = await calibrateKdf(measure);
    expect(cost.memoryKiB * cost.iterations).toBeLessThan(131072 * 7);
    expect(cost.memoryKiB).toBeGreaterThanOrEqual(65536);
    expect(cost.iterations).toBeGreaterThanOrEqual(3);
  });

  it('falls back to the floor when the clock gives nonsense', async () => {
    expect(await calibrateKdf(async () => Number.NaN)).toEqual(KDF_FLOOR);
    let call = 0;
    expect(await calibrateKdf(async () => (++call === 1 ? 100 : Number.NaN))).toEqual(KDF_FLOOR);
  });
});
