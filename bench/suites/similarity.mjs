// Spine benchmarks: similarity kernels on every tier against plain JS.
import { plainCosine, plainCosineBatch, plainTopK } from '../plain.mjs';
import { randomF32 } from '../data.mjs';

/** @param {import('../harness.mjs').Harness} h */
export default function similarity(h) {
  const { hp } = h;
  const dim = 384, n = 100_000;
  const q = randomF32(dim, 1), m = randomF32(n * dim, 2);
  h.group('cosineBatch Q=1 N=100000 dim=384', { baseline: 'plain JS loop' }, (g) => {
    g.add('plain JS loop', () => plainCosineBatch(q, m, dim));
    for (const tier of h.tiers) g.add(tier, () => hp.cosineBatch(q, m, dim), { tier });
  });
  h.group('topK k=10 N=100000 dim=384', { baseline: 'plain JS score+sort' }, (g) => {
    g.add('plain JS score+sort', () => plainTopK(q, m, dim, 10));
    for (const tier of h.tiers) g.add(tier, () => hp.topK(q, m, dim, 10), { tier });
  });
  for (const d of [16, 1536]) {
    const a = randomF32(d, 3), b = randomF32(d, 4);
    const reps = d === 16 ? 10_000 : 500;
    h.group(`cosine dim=${d} (x${reps} per sample)`, { baseline: 'plain JS function' }, (g) => {
      g.add('plain JS function', () => { for (let i = 0; i < reps; i++) plainCosine(a, b); });
      g.add('dispatched (auto)', () => { for (let i = 0; i < reps; i++) hp.cosine(a, b); }, { tier: 'auto' });
      for (const tier of h.tiers) g.add(tier, () => { for (let i = 0; i < reps; i++) hp.cosine(a, b); }, { tier });
    });
  }
}
