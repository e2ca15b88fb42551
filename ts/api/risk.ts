import { pick } from '../core/dispatch.js';
import { checkFinite, checkOptions, describe, rangeError, typeError } from '../core/errors.js';
import type { Vector } from '../core/types.js';
import { blameNonFinite, checkVector } from '../core/vectors.js';

/** Options of {@link riskScore} and {@link riskScoreBatch}. */
export interface RiskOptions {
  /** Severity that counts as certain harm; severities are scaled by it and clamped to [0, 1]. Default 5. */
  maxSeverity?: number;
}

function maxSeverityOf(fn: string, options: unknown): number {
  const o = checkOptions<RiskOptions>(fn, options);
  return o.maxSeverity === undefined ? 5 : checkFinite(fn, 'options.maxSeverity', o.maxSeverity, { minExclusive: 0 });
}

function checkSignals(fn: string, s: unknown, c: unknown): [Vector, Vector] {
  const sv = checkVector(fn, 'severities', s);
  const cv = checkVector(fn, 'confidences', c);
  if (sv.length !== cv.length) rangeError(fn, 'confidences', `length ${cv.length} does not match severities length ${sv.length}`);
  return [sv, cv];
}

/**
 * Noisy-OR risk of one entity: `1 − Π (1 − clamp(c_i, 0, 1)·clamp(s_i / maxSeverity, 0, 1))`,
 * in [0, 1]; 0 for no signals. Evaluated as `r ← r + x_i·(1 − r)`, which stays
 * accurate for many small risks where `1 − Π` would cancel.
 * @throws TypeError / RangeError for bad types, unequal lengths, non-finite values or maxSeverity ≤ 0.
 */
export function riskScore(severities: Vector, confidences: Vector, options?: RiskOptions): number {
  const fn = 'riskScore';
  const [s, c] = checkSignals(fn, severities, confidences);
  const max = maxSeverityOf(fn, options);
  const r = pick(fn, s.length).riskScore(s, c, max);
  if (r !== r) blameNonFinite(fn, [['severities', s], ['confidences', c]]);
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
  const { s, c, max } = checkRiskBatch(fn, severities, confidences, offsets, options);
  const out = new Float64Array(offsets.length - 1);
  const bad = pick(fn, s.length).riskScoreBatch(s, c, offsets, max, out);
  if (bad > 0) blameNonFinite(fn, [['severities', s], ['confidences', c]]);
  return out;
}

/** Validates a riskScoreBatch call (shared with the GPU tier). @internal */
export function checkRiskBatch(fn: string, severities: unknown, confidences: unknown, offsets: unknown, options: unknown): { s: Vector; c: Vector; max: number } {
  const [s, c] = checkSignals(fn, severities, confidences);
  if (!(offsets instanceof Uint32Array)) typeError(fn, 'offsets', `must be a Uint32Array; got ${describe(offsets)}`);
  const max = maxSeverityOf(fn, options);
  const e = offsets.length - 1;
  if (e < 0) rangeError(fn, 'offsets', 'must have length E+1 >= 1');
  if (offsets[0] !== 0) rangeError(fn, 'offsets[0]', `must be 0; got ${offsets[0]}`);
  for (let i = 1; i <= e; i++) {
    if (offsets[i] < offsets[i - 1]) rangeError(fn, `offsets[${i}]`, `is ${offsets[i]}, below offsets[${i - 1}] = ${offsets[i - 1]}; offsets must be non-decreasing`);
  }
  if (offsets[e] !== s.length) rangeError(fn, `offsets[${e}]`, `must equal the signal count ${s.length}; got ${offsets[e]}`);
  return { s, c, max };
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
  if (pick(fn, s.length).temporalDecay(s, a, h, out) !== 0) blameDecayInputs(fn, s, a);
  return out;
}

/** Validates a temporalDecay call (shared with the GPU tier). @internal */
export function checkDecay(fn: string, scores: unknown, ages: unknown, halfLife: unknown): { s: Vector; a: Vector; h: number } {
  const s = checkVector(fn, 'scores', scores);
  const a = checkVector(fn, 'ages', ages);
  if (s.length !== a.length) rangeError(fn, 'ages', `length ${a.length} does not match scores length ${s.length}`);
  return { s, a, h: checkFinite(fn, 'halfLife', halfLife, { minExclusive: 0 }) };
}

/** Throws for the first non-finite input or negative age, if any. @internal */
export function blameDecayInputs(fn: string, s: Vector, a: Vector): void {
  blameNonFinite(fn, [['scores', s], ['ages', a]]);
  for (let i = 0; i < a.length; i++) if (a[i] < 0) rangeError(fn, `ages[${i}]`, `is ${a[i]}; ages must be >= 0`);
}
