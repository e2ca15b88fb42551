// Statistics, percentiles, moving average and outliers: reference semantics.
// Sums are Neumaier-compensated so mixed magnitudes do not lose low bits.
import { firstNonFinite } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { Vector } from '../../contract/types.js';
import { maxOf, select } from '../shared/select.js';

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

// Overflow and underflow are detected after the fact (a non-finite sum of finite values,
// or a tiny M2 of values that are not all equal) and only then redone on values scaled by
// a power of two, which is exact: the common path pays one comparison.
/** Below this M2 may have lost terms to underflow (n·2^-1075 ≤ 2^-75 of it). */
const TINY = 2 ** -968;
const DOWN = 2 ** -540, UP = 2 ** 540;

/** Compensated Σ x_i·f (f a power of two). */
function scaledSum(x: ArrayLike<number>, f: number): number {
  let s = 0, c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * f, t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** 2^-(⌈log2 n⌉ + 1): n values scaled by it sum to at most MAX/2. */
function sumScale(n: number): number {
  return 2 ** -(Math.ceil(Math.log2(n)) + 1);
}

/** Compensated Σd and Σd² of d = x·f − mf; returns the corrected M2 of the scaled values. */
function m2Pass(x: Vector, mf: number, f: number): number {
  const n = x.length;
  let s = 0, c = 0, sd = 0, cd = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] * f - mf;
    const q = d * d, t = s + q;
    c += s >= q ? s - t + q : q - t + s;
    s = t;
    const u = sd + d;
    cd += Math.abs(sd) >= Math.abs(d) ? sd - u + d : d - u + sd;
    sd = u;
  }
  const sumD = sd + cd;
  return s + c - (sumD * sumD) / n;
}

/**
 * Sum, mean and the corrected two-pass M2 = Σd² − (Σd)²/n with d = x − mean, all
 * compensated. M2 is that of x·f: f = 1 normally, 2^-540 when the squares overflow,
 * 2^540 when they underflow (values not all equal, M2 below TINY). `min`/`max`, when the
 * caller has them, save the all-equal scan.
 */
export function moments(x: Vector, min?: number, max?: number): { sum: number; mean: number; m2: number; f: number; mf: number } {
  const n = x.length;
  let sum = neumaierSum(x), mean = sum / n;
  if (sum - sum !== 0) {
    // Overflowed (or NaN, which the redo keeps): sum at a scale where it cannot.
    const k = sumScale(n), s = scaledSum(x, k);
    sum = s / k;
    mean = s / n / k;
  }
  let f = 1, mf = mean, m2 = m2Pass(x, mean, 1);
  if (m2 - m2 !== 0 && mean - mean === 0) {
    f = DOWN;
    mf = mean * DOWN;
    m2 = m2Pass(x, mf, f);
  } else if (m2 < TINY && !allEqual(x, min, max)) {
    // Every value is below ~2^-430 here (else two unequal ones would make M2 larger), so ×2^540
    // is safe; the mean is re-taken at that scale, where it is not subnormal.
    f = UP;
    mf = scaledSum(x, UP) / n;
    m2 = m2Pass(x, mf, f);
  }
  return { sum, mean, m2, f, mf };
}

function allEqual(x: Vector, min?: number, max?: number): boolean {
  if (min !== undefined && max !== undefined) return min === max;
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

/** (a + b) / 2 without overflow. */
function midpoint(a: number, b: number): number {
  const m = (a + b) / 2;
  return m - m === 0 ? m : a / 2 + b / 2;
}

/** Median by selection on a copy: O(n), the input untouched. */
function median(x: Vector): number {
  const a = Float64Array.from(x), n = a.length, h = n >> 1;
  select(a, h);
  return n % 2 === 1 ? a[h] : midpoint(maxOf(a, 0, h - 1), a[h]);
}

export function stats(x: Vector, ddof: number, out: Float64Array): void {
  const n = x.length;
  let min = x[0], max = x[0];
  for (let i = 1; i < n; i++) {
    const v = x[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const { sum, mean, m2, f } = moments(x, min, max);
  const v = Math.max(0, m2 / (n - ddof));
  out[0] = n;
  out[1] = sum;
  out[2] = mean;
  // Unscaled one factor at a time: Infinity only when the variance itself is out of range.
  out[3] = v / f / f;
  out[4] = Math.sqrt(v) / f;
  out[5] = min;
  out[6] = max;
  out[7] = median(x);
}

/** Type-7 percentile from an ascending array. */
export function type7(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const h = ((n - 1) * p) / 100, lo = Math.floor(h), frac = h - lo;
  if (frac === 0 || lo + 1 >= n) return sorted[lo];
  const a = sorted[lo], b = sorted[lo + 1], d = b - a;
  // b − a overflows only for values of opposite sign near the limits; a − f·a + f·b cannot.
  return d - d === 0 ? a + frac * d : a - frac * a + frac * b;
}

export function percentiles(x: Vector, ps: Float64Array, out: Float64Array): void {
  // One sort of a copy serves every percentile.
  const sorted = Float64Array.from(x).sort();
  for (let i = 0; i < ps.length; i++) out[i] = type7(sorted, ps[i]);
}

/** The sliding compensated mean at input scale f; returns the final sum (non-finite once it overflowed: NaN is sticky). */
function slide(x: Vector, window: number, out: Float64Array, f: number): number {
  // Compensated running sum: adding and removing 1e7 values does not drift.
  let s = 0, c = 0;
  const add = (v: number): void => {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  };
  for (let i = 0; i < window; i++) add(x[i] * f);
  out[0] = (s + c) / window / f;
  for (let i = window; i < x.length; i++) {
    add(x[i] * f);
    add(-x[i - window] * f);
    out[i - window + 1] = (s + c) / window / f;
  }
  return s + c;
}

export function movingAverage(x: Vector, window: number, out: Float64Array): void {
  const r = slide(x, window, out, 1);
  // A window sum overflowed somewhere: redo at a scale where none can.
  if (r - r !== 0) slide(x, window, out, sumScale(window));
}

function collect(x: Vector, outside: (v: number) => boolean): Uint32Array {
  const idx: number[] = [];
  for (let i = 0; i < x.length; i++) if (outside(x[i])) idx.push(i);
  return Uint32Array.from(idx);
}

/** [Q1 − k·IQR, Q3 + k·IQR]; at half scale when Q3 − Q1 overflows (a fence beyond the range is then ±Infinity). */
export function fences(q1: number, q3: number, k: number): [number, number] {
  const iqr = q3 - q1;
  if (iqr - iqr === 0) return [q1 - k * iqr, q3 + k * iqr];
  const h = q3 / 2 - q1 / 2;
  return [(q1 / 2 - k * h) * 2, (q3 / 2 + k * h) * 2];
}

export function outliersIQR(x: Vector, k: number): Uint32Array {
  if (x.length === 0) return new Uint32Array(0);
  const q = new Float64Array(2);
  percentiles(x, Float64Array.of(25, 75), q);
  const [lo, hi] = fences(q[0], q[1], k);
  return collect(x, (v) => v < lo || v > hi);
}

export function outliersZScore(x: Vector, threshold: number): Uint32Array {
  if (x.length === 0) return new Uint32Array(0);
  // z-scores at M2's scale: x·f − mean·f neither overflows nor underflows there.
  const { mean, m2, f, mf } = moments(x);
  const std = Math.sqrt(Math.max(0, m2 / x.length));
  if (std === 0) return new Uint32Array(0);
  if (f === 1) return collect(x, (v) => Math.abs(v - mean) / std > threshold);
  return collect(x, (v) => Math.abs(v * f - mf) / std > threshold);
}

/** The statistics entries of the js kernel table. */
export const statisticsKernels: Pick<KernelSet, 'firstNonFinite' | 'stats' | 'percentiles' | 'movingAverage' | 'outliersIQR' | 'outliersZScore'> = {
  firstNonFinite: (x) => firstNonFinite(x), stats, percentiles, movingAverage, outliersIQR, outliersZScore,
};
