import type { KernelSet } from '../../core/kernels.js';
import { firstNonFinite } from '../../core/vectors.js';
import type { Tier } from '../../core/tier.js';
import { matmul } from './matmul.js';
import { ngramFeatures } from './ngram.js';
import * as risk from './risk.js';
import * as sim from './similarity.js';
import * as st from './statistics.js';

/** The js tier: reference semantics, always available. */
export const jsKernels: KernelSet = {
  dot: sim.dot,
  cosine: sim.cosine,
  euclidean: sim.euclidean,
  cosineBatch: sim.cosineBatch,
  euclideanBatch: sim.euclideanBatch,
  topK: sim.topK,
  firstNonFinite: (x) => firstNonFinite(x),
  riskScore: risk.riskScore,
  riskScoreBatch: risk.riskScoreBatch,
  temporalDecay: risk.temporalDecay,
  stats: st.stats,
  percentiles: st.percentiles,
  movingAverage: st.movingAverage,
  outliersIQR: st.outliersIQR,
  outliersZScore: st.outliersZScore,
  ngramFeatures,
  matmul,
};

export function loadJsTier(): Tier {
  return { name: 'js', status: { loaded: true, error: null, path: null, simd: 'none', threads: 1 }, kernels: jsKernels };
}
