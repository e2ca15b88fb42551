import { blameDecayInputs, blameNonFinite, changedDuringCall, checkDecay, checkMaxSeverity, checkRiskBatch, checkSignals, type RiskOptions } from '../contract/checks.js';
import { KERNELS } from '../contract/kernels.js';
import type { Vector } from '../contract/types.js';
import { kernelsFor } from '../dispatch/dispatch.js';

export type { RiskOptions } from '../contract/checks.js';

/**
 * Noisy-OR risk of one entity: `1 − Π (1 − clamp(c_i, 0, 1)·clamp(s_i / maxSeverity, 0, 1))`,
 * in [0, 1]; 0 for no signals. Evaluated as `r ← r + x_i·(1 − r)`, which stays
 * accurate for many small risks where `1 − Π` would cancel.
 * @throws TypeError / RangeError for bad types, unequal lengths, non-finite values or maxSeverity ≤ 0.
 */
export function riskScore(severities: Vector, confidences: Vector, options?: RiskOptions): number {
  const fn = 'riskScore';
  const max = checkMaxSeverity(fn, options);
  const [s, c] = checkSignals(fn, severities, confidences);
  const r = kernelsFor(fn, KERNELS.riskScore.work(s)).riskScore(s, c, max);
  if (r !== r) {
    blameNonFinite(fn, [['severities', s], ['confidences', c]]);
    changedDuringCall(fn, 'severities or confidences');
  }
  return r;
}

/**
 * Noisy-OR risk of many entities in one call. Signals are in CSR layout:
 * entity `e` owns indices `[offsets[e], offsets[e+1])`.
 * @param offsets - Uint32Array of length E+1: first 0, non-decreasing, last = signal count
 * @returns Float64Array(E) of risks in [0, 1].
 * @throws TypeError / RangeError naming the argument (bad offsets name the first bad index).
 */
export function riskScoreBatch(severities: Vector, confidences: Vector, offsets: Uint32Array, options?: RiskOptions): Float64Array {
  const fn = 'riskScoreBatch';
  const { s, c, offsets: off, max } = checkRiskBatch(fn, severities, confidences, offsets, options);
  const out = new Float64Array(off.length - 1);
  const bad = kernelsFor(fn, KERNELS.riskScoreBatch.work(s)).riskScoreBatch(s, c, off, max, out);
  if (bad > 0) {
    blameNonFinite(fn, [['severities', s], ['confidences', c]]);
    changedDuringCall(fn, 'severities or confidences');
  }
  return out;
}

/**
 * Exponential decay by age: `scores[i] · 2^(−ages[i] / halfLife)`.
 * @param halfLife - finite, > 0, in the same unit as ages
 * @returns Float64Array of decayed scores.
 * @throws RangeError for a negative age, non-finite values or halfLife ≤ 0; TypeError for bad types.
 */
export function temporalDecay(scores: Vector, ages: Vector, halfLife: number): Float64Array {
  const fn = 'temporalDecay';
  const { s, a, h } = checkDecay(fn, scores, ages, halfLife);
  const out = new Float64Array(s.length);
  if (kernelsFor(fn, KERNELS.temporalDecay.work(s)).temporalDecay(s, a, h, out) !== 0) blameDecayInputs(fn, s, a);
  return out;
}
