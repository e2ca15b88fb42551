// Statistics, percentiles, moving average and outliers: reference semantics.
// Sums are Neumaier-compensated so mixed magnitudes do not lose low bits.
import { firstNonFinite } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { Vector } from '../../contract/types.js';
import { maxOf, median, select } from '../shared/select.js';

/** Compensated sum of x[from, to). */
export function neumaierSum(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0, c = 0;
  for (let i = from; i < to; i++) {
    const v = x[i], t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Sum, mean and corrected two-pass M2 = Σd² − (Σd)²/n with d = x − mean, all compensated. */
export function moments(x: Vector): [sum: number, mean: number, m2: number] {
  const n = x.length;
  const sum = neumaierSum(x);
  const mean = sum / n;
  let s = 0, c = 0, sd = 0, cd = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const q = d * d, t = s + q;
    c += s >= q ? s - t + q : q - t + s;
    s = t;
    const u = sd + d;
    cd += Math.abs(sd) >= Math.abs(d) ? sd - u + d : d - u + sd;
    sd = u;
  }
  const sumD = sd + cd;
  return [sum, mean, s + c - (sumD * sumD) / n];
}

export function stats(x: Vector, ddof: number, out: Float64Array): void {
  const n = x.length;
  const [sum, mean, m2] = moments(x);
  let min = x[0], max = x[0];
  for (let i = 1; i < n; i++) {
    const v = x[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const variance = Math.max(0, m2 / (n - ddof));
  out[0] = n;
  out[1] = sum;
  out[2] = mean;
  out[3] = variance;
  out[4] = Math.sqrt(variance);
  out[5] = min;
  out[6] = max;
  out[7] = median(x);
}

/** Type-7 percentile from an ascending array. */
export function type7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = ((n - 1) * p) / 100, lo = Math.floor(h), frac = h - lo;
  if (frac === 0 || lo + 1 >= n) return sorted[lo];
  return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

export function percentiles(x: Vector, ps: Float64Array, out: Float64Array): void {
  // One sort of a copy serves every percentile.
  const sorted = Float64Array.from(x).sort();
  for (let i = 0; i < ps.length; i++) out[i] = type7(sorted, ps[i]);
}

export function movingAverage(x: Vector, window: number, out: Float64Array): void {
  // Compensated running sum: adding and removing 1e7 values does not drift.
  let s = 0, c = 0;
  const add = (v: number): void => {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  };
  for (let i = 0; i < window; i++) add(x[i]);
  out[0] = (s + c) / window;
  for (let i = window; i < x.length; i++) {
    add(x[i]);
    add(-x[i - window]);
    out[i - window + 1] = (s + c) / window;
  }
}

function collect(x: Vector, outside: (v: number) => boolean): Uint32Array {
  const idx: number[] = [];
  for (let i = 0; i < x.length; i++) if (outside(x[i])) idx.push(i);
  return Uint32Array.from(idx);
}

export function outliersIQR(x: Vector, k: number): Uint32Array {
  if (x.length === 0) return new Uint32Array(0);
  const q = new Float64Array(2);
  percentiles(x, Float64Array.of(25, 75), q);
  const iqr = q[1] - q[0], lo = q[0] - k * iqr, hi = q[1] + k * iqr;
  return collect(x, (v) => v < lo || v > hi);
}

export function outliersZScore(x: Vector, threshold: number): Uint32Array {
  if (x.length === 0) return new Uint32Array(0);
  const [, mean, m2] = moments(x);
  const std = Math.sqrt(Math.max(0, m2 / x.length));
  if (std === 0) return new Uint32Array(0);
  return collect(x, (v) => Math.abs(v - mean) / std > threshold);
}

/** The statistics entries of the js kernel table. */
export const statisticsKernels: Pick<KernelSet, 'firstNonFinite' | 'stats' | 'percentiles' | 'movingAverage' | 'outliersIQR' | 'outliersZScore'> = {
  firstNonFinite: (x) => firstNonFinite(x), stats, percentiles, movingAverage, outliersIQR, outliersZScore,
};
