import { argon2id } from 'hash-wasm';
import { KDF_DEFAULT_TARGET, pickCost, type KdfCost } from './kdf';

/** Times one Argon2id run at `cost`, in milliseconds. Injected so tests need not spend real seconds. */
export type KdfMeasure = (cost: KdfCost) => Promise<number>;

/** Options of `calibrateKdf`. */
export type CalibrateOptions = Readonly<{
  /** Starting (and minimum) cost; defaults to `KDF_DEFAULT_TARGET`. */
  base?: KdfCost;
  /** Wanted unlock time in ms; defaults to 1000. */
  targetMs?: number;
  /** Memory is raised first (it is what makes guessing expensive on GPUs), up to this many KiB. */
  maxMemoryKiB?: number;
  /** Passes are raised after memory, up to this many. */
  maxIterations?: number;
}>;

/** Builds a `KdfMeasure` that runs the real Argon2id, timed with the caller's clock (e.g. `performance.now`). */
export function createArgon2Measure(now: () => number): KdfMeasure {
  return async (cost) => {
    const start = now();
    await argon2id({
      password: 'regvault-calibration',
      salt: new Uint8Array(16),
      memorySize: cost.memoryKiB,
      iterations: cost.iterations,
      parallelism: cost.parallelism,
      hashLength: 32,
      outputType: 'binary',
    });
    return now() - start;
  };
}

function scaleCost(base: KdfCost, factor: number, maxMemoryKiB: number, maxIterations: number): KdfCost {
  let memoryKiB = base.memoryKiB;
  let left = factor;
  while (left >= 2 && memoryKiB * 2 <= maxMemoryKiB) {
    memoryKiB *= 2;
    left /= 2;
  }
  const iterations = Math.min(maxIterations, Math.max(base.iterations, Math.floor(base.iterations * left)));
  return { memoryKiB, iterations, parallelism: base.parallelism };
}

/**
 * Raises the KDF cost from `base` toward `targetMs` on this machine, never below `base`: one timing at `base`,
 * a linear extrapolation (Argon2id time grows with memory × passes), then up to two confirming timings that
 * step back if the guess overshoots by more than half. Run once, when a profile is created.
 */
export async function calibrateKdf(measure: KdfMeasure, options: CalibrateOptions = {}): Promise<KdfCost> {
  const base = pickCost(options.base ?? KDF_DEFAULT_TARGET);
  const targetMs = options.targetMs ?? 1000;
  const maxMemoryKiB = Math.max(base.memoryKiB, options.maxMemoryKiB ?? 256 * 1024);
  const maxIterations = Math.max(base.iterations, options.maxIterations ?? 10);
  const baseMs = await measure(base);
  if (!Number.isFinite(baseMs) || baseMs <= 0 || baseMs >= targetMs) return base;
  let cost = scaleCost(base, targetMs / baseMs, maxMemoryKiB, maxIterations);
  for (
    let attempt = 0;
    attempt < 2 && (cost.memoryKiB > base.memoryKiB || cost.iterations > base.iterations);
    attempt++
  ) {
    const ms = await measure(cost);
    if (!Number.isFinite(ms) || ms <= 0) return base;
    if (ms <= targetMs * 1.5) return cost;
    // Overshot: assume the time per unit of work measured here and rescale from base.
    const perUnit = ms / (cost.memoryKiB * cost.iterations);
    const factor = targetMs / (perUnit * base.memoryKiB * base.iterations);
    const next = scaleCost(base, Math.max(1, factor), maxMemoryKiB, maxIterations);
    cost = next.memoryKiB * next.iterations < cost.memoryKiB * cost.iterations ? next : base;
  }
  return cost;
}
