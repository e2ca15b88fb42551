import { blameNonFinite, checkDdof, checkVector, ddofBelow, type StatsOptions } from '../contract/checks.js';
import { checkCount, checkFinite, checkOptions, rangeError } from '../contract/errors.js';
import { KERNELS } from '../contract/kernels.js';
import type { Stats, Vector } from '../contract/types.js';
import { kernelsFor } from '../dispatch/dispatch.js';
import { checkSample } from '../dispatch/finite.js';

export type { StatsOptions } from '../contract/checks.js';
export type { Stats } from '../contract/types.js';


/**
 * Count, sum, mean, variance, std, min, max and median of `x` in one call.
 * Sums are compensated (relative error ≤ 1e-12 for 1e7 values of mixed
 * magnitude); the median is found by selection, O(n); `x` is never modified.
 * @throws RangeError for an empty `x`, a non-finite element, or ddof outside [0, count).
 */
export function stats(x: Vector, options?: StatsOptions): Stats {
  const d = checkDdof('stats', options);
  const v = checkSample('stats', x);
  const ddof = ddofBelow('stats', d, v.length);
  const out = new Float64Array(8);
  kernelsFor('stats', KERNELS.stats.work(v)).stats(v, ddof, out);
  return { count: out[0], sum: out[1], mean: out[2], variance: out[3], std: out[4], min: out[5], max: out[6], median: out[7] };
}

/**
 * Percentiles of `x` by linear interpolation between closest ranks
 * (Hyndman–Fan type 7, numpy's default). All of them cost one selection pass
 * or one sort of a copy.
 * @param ps - percentiles in [0, 100]
 * @returns Float64Array in the order of `ps`.
 * @throws RangeError for an empty `x`, non-finite values, or a p outside [0, 100].
 */
export function percentiles(x: Vector, ps: Vector): Float64Array {
  const fn = 'percentiles';
  // ps first: reading it runs user code (getters of a Proxy array) that could change x.
  const p = Float64Array.from(checkVector(fn, 'ps', ps));
  for (let i = 0; i < p.length; i++) checkFinite(fn, `ps[${i}]`, p[i], { min: 0, max: 100 });
  const v = checkSample(fn, x);
  const out = new Float64Array(p.length);
  if (p.length > 0) kernelsFor(fn, KERNELS.percentiles.work(v)).percentiles(v, p, out);
  return out;
}

/**
 * Quantiles of `x`, numpy's `quantile` (and simple-statistics users'
 * expectation): `qs` in [0, 1], otherwise the same type-7 interpolation,
 * checks and cost as {@link percentiles}.
 * @param qs - quantiles in [0, 1] (0.99 is the 99th percentile)
 * @returns Float64Array in the order of `qs`.
 * @throws RangeError for an empty `x`, non-finite values, or a q outside [0, 1].
 */
export function quantiles(x: Vector, qs: Vector): Float64Array {
  const fn = 'quantiles';
  const q = Float64Array.from(checkVector(fn, 'qs', qs));
  for (let i = 0; i < q.length; i++) {
    checkFinite(fn, `qs[${i}]`, q[i], { min: 0, max: 1 });
    // The kernels take percent; the rank (n − 1)·(100q)/100 can differ from (n − 1)·q by an ulp, which moves the result by at most that much of one gap.
    q[i] *= 100;
  }
  const v = checkSample(fn, x);
  const out = new Float64Array(q.length);
  if (q.length > 0) kernelsFor('percentiles', KERNELS.percentiles.work(v)).percentiles(v, q, out);
  return out;
}

/**
 * Simple moving average in 'valid' mode: `out[i]` is the mean of `x[i .. i+window)`,
 * length `n − window + 1`. The running sum is compensated, so it does not drift over long inputs.
 * @param window - integer in [1, n]
 * @throws RangeError for a bad window or non-finite values.
 */
export function movingAverage(x: Vector, window: number): Float64Array {
  const fn = 'movingAverage';
  const v = checkVector(fn, 'x', x);
  const w = checkCount(fn, 'window', window, 1);
  if (w > v.length) rangeError(fn, 'window', `must be <= x length ${v.length}; got ${w}`);
  const out = new Float64Array(v.length - w + 1);
  kernelsFor(fn, KERNELS.movingAverage.work(v)).movingAverage(v, w, out);
  for (let i = 0; i < out.length; i++) if (out[i] - out[i] !== 0) blameNonFinite(fn, [['x', v, i, i + w]]);
  return out;
}

/** Options of {@link outliersIQR}. */
export interface IqrOptions {
  /** Fence multiplier: outside [Q1 − k·IQR, Q3 + k·IQR] is an outlier. Default 1.5. */
  k?: number;
}

/**
 * Indices of Tukey outliers: `x[i] < Q1 − k·IQR` or `x[i] > Q3 + k·IQR`, quartiles by type 7.
 * @returns ascending Uint32Array (empty for an empty `x`).
 * @throws RangeError for non-finite values or k < 0.
 */
export function outliersIQR(x: Vector, options?: IqrOptions): Uint32Array {
  const fn = 'outliersIQR';
  const o = checkOptions<IqrOptions>(fn, options);
  const k = o.k === undefined ? 1.5 : checkFinite(fn, 'options.k', o.k, { min: 0 });
  const v = checkSample(fn, x, true);
  return kernelsFor(fn, KERNELS.outliersIQR.work(v)).outliersIQR(v, k);
}

/** Options of {@link outliersZScore}. */
export interface ZScoreOptions {
  /** |z| above this is an outlier. Default 3. */
  threshold?: number;
}

/**
 * Indices with `|x[i] − mean| / std > threshold` (population std). A constant input (std 0) has none.
 * @returns ascending Uint32Array.
 * @throws RangeError for non-finite values or threshold < 0.
 */
export function outliersZScore(x: Vector, options?: ZScoreOptions): Uint32Array {
  const fn = 'outliersZScore';
  const o = checkOptions<ZScoreOptions>(fn, options);
  const t = o.threshold === undefined ? 3 : checkFinite(fn, 'options.threshold', o.threshold, { min: 0 });
  const v = checkSample(fn, x, true);
  return kernelsFor(fn, KERNELS.outliersZScore.work(v)).outliersZScore(v, t);
}

