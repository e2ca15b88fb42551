// Data and configurations the QuantileSketch suites share.
import type { QuantileSketchOptions } from '../../ts/index.js';
// @ts-expect-error plain ESM module without types
import { mulberry32 } from '../../bench/lib/data.mjs';

/** Seeded generator: the project's one (bench/lib/data.mjs). */
export const rng: (seed: number) => () => number = mulberry32;

/** n values: mixed signs, zeros, magnitudes over ~30 decades. */
export function wide(n: number, seed: number, sign: 'pos' | 'neg' | 'mixed' = 'mixed'): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const m = Math.exp((r() - 0.5) * 70);
    const s = sign === 'pos' ? 1 : sign === 'neg' ? -1 : r() < 0.3 ? -1 : 1;
    out[i] = r() < 0.02 ? 0 : s * m;
  }
  return out;
}

/** Latency-like: lognormal around 5 ms. */
export function latencies(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    out[i] = Math.exp(Math.log(5) + 0.8 * z);
  }
  return out;
}

export const MAPPINGS: [string, QuantileSketchOptions][] = [
  ['cubic 1%', { relativeAccuracy: 0.01 }],
  ['cubic 0.1%', { relativeAccuracy: 0.001 }],
  ['logarithmic 2%', { relativeAccuracy: 0.02, mapping: 'logarithmic' }],
  ['exponential scale 6', { scale: 6 }],
];

export const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
