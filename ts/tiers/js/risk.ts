// Risk scoring and temporal decay: reference semantics.
import type { Vector } from '../../contract/types.js';
import type { KernelSet } from '../../contract/kernels.js';

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Noisy-OR over [from, to): r ← r + x·(1 − r), which never cancels the way 1 − Π(1 − x) does for small risks. */
function noisyOr(s: Vector, c: Vector, from: number, to: number, maxSeverity: number): number {
  let r = 0;
  for (let i = from; i < to; i++) {
    const si = s[i], ci = c[i];
    if (si - si !== 0 || ci - ci !== 0) return NaN;
    r = r + clamp01(ci) * clamp01(si / maxSeverity) * (1 - r);
  }
  return r;
}

export function riskScore(s: Vector, c: Vector, maxSeverity: number): number {
  return noisyOr(s, c, 0, s.length, maxSeverity);
}

export function riskScoreBatch(s: Vector, c: Vector, offsets: Uint32Array, maxSeverity: number, out: Float64Array): number {
  let bad = 0;
  for (let e = 0; e < out.length; e++) {
    const r = noisyOr(s, c, offsets[e], offsets[e + 1], maxSeverity);
    if (r !== r) bad++;
    out[e] = r;
  }
  return bad;
}

export function temporalDecay(scores: Vector, ages: Vector, halfLife: number, out: Float64Array): number {
  let flags = 0;
  for (let i = 0; i < out.length; i++) {
    const s = scores[i], a = ages[i];
    if (s - s !== 0 || a - a !== 0) flags |= 1;
    if (a < 0) flags |= 2;
    out[i] = s * 2 ** -(a / halfLife);
  }
  return flags;
}

/** The risk entries of the js kernel table. */
export const riskKernels: Pick<KernelSet, 'riskScore' | 'riskScoreBatch' | 'temporalDecay'> = { riskScore, riskScoreBatch, temporalDecay };
