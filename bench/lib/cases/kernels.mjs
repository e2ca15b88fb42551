// The kernel rows of the matrix. One entry per public kernel: the shape of
// an input for a target work size (`params`), its data (`setup`), the
// public call's arguments (`args`), three sizes for the table, the plain-JS
// baseline and the npm peers a user would otherwise reach for. The work a
// call measures is never written here: `workOf` asks the kernel's record
// (hotpath's KERNELS), the measure dispatch itself uses.
import { mulberry32, randomF32, randomF64, texts } from '../data.mjs';
import * as plain from '../plain.mjs';

const PS = [50, 90, 95, 99];

/** Row-major number[][] as ml-matrix wants it. */
const rowsOf = (a, r, c) => Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));

function pairs(name, plainFn, simsimdName, sizes) {
  return {
    name, family: 'similarity', sizes,
    params: (w) => ({ dim: Math.max(1, Math.round(w)) }),
    label: (p) => `dim=${p.dim}`,
    setup: (p) => ({ a: randomF32(p.dim, 3), b: randomF32(p.dim, 4) }),
    args: (x) => [x.a, x.b],
    baseline: { name: 'plain JS', fn: (x) => plainFn(x.a, x.b) },
    // No bytes: a 32 KB pair lives in L1/L2, so a fraction of DRAM bandwidth would mislead.
    peers: [{ name: 'simsimd', module: 'simsimd', fn: (m, x) => m[simsimdName](x.a, x.b) }],
  };
}

function batch(name, plainFn, simsimdName) {
  const dim = 384;
  return {
    name, family: 'similarity', sizes: [16 * dim, 1000 * dim, 100_000 * dim], minWork: dim,
    params: (w) => ({ dim, rows: Math.max(1, Math.round(w / dim)) }),
    label: (p) => `N=${p.rows} dim=${p.dim}`,
    setup: (p) => ({ q: randomF32(p.dim, 1), m: randomF32(p.rows * p.dim, 2), dim: p.dim }),
    args: (x) => [x.q, x.m, x.dim],
    baseline: { name: 'plain JS', fn: (x) => plainFn(x.q, x.m, x.dim) },
    peers: [{
      name: 'simsimd (row loop)', module: 'simsimd',
      fn: (m, x) => {
        const n = x.m.length / x.dim, out = new Float32Array(n), f = m[simsimdName];
        for (let r = 0; r < n; r++) out[r] = f(x.q, x.m.subarray(r * x.dim, (r + 1) * x.dim));
        return out;
      },
    }],
    bytes: (p) => 4 * p.rows * p.dim,
  };
}

function elementwise(name, plainFn, peers = [], extra = {}) {
  return {
    name, family: 'statistics', sizes: [64, 10_000, 1_000_000],
    params: (w) => ({ n: Math.max(2, Math.round(w)) }),
    label: (p) => `n=${p.n}`,
    setup: (p) => ({ x: randomF64(p.n, 22, -1000, 1000) }),
    baseline: { name: 'plain JS', fn: (x) => plainFn(x.x) },
    peers,
    bytes: (p) => 8 * p.n,
    ...extra,
  };
}

const ss = (fn) => ({ name: 'simple-statistics', module: 'simple-statistics', fn });

/** @type {import('../matrix.mjs').KernelCase[]} */
export const KERNEL_CASES = [
  pairs('dot', plain.plainDot, 'inner', [16, 256, 4096]),
  pairs('cosine', plain.plainCosine, 'cosine', [16, 256, 4096]),
  pairs('euclidean', plain.plainEuclidean, 'euclidean', [16, 256, 4096]),
  batch('cosineBatch', plain.plainCosineBatch, 'cosine'),
  batch('euclideanBatch', plain.plainEuclideanBatch, 'euclidean'),
  {
    ...batch('topK', plain.plainCosineBatch, 'cosine'),
    args: (x) => [x.q, x.m, x.dim, 10],
    label: (p) => `N=${p.rows} dim=${p.dim} k=10`,
    baseline: { name: 'plain JS score+sort', fn: (x) => plain.plainTopK(x.q, x.m, x.dim, 10) },
    peers: [],
  },
  {
    name: 'riskScore', family: 'risk', sizes: [8, 512, 65_536],
    params: (w) => ({ n: Math.max(1, Math.round(w)) }),
    label: (p) => `signals=${p.n}`,
    setup: (p) => ({ s: randomF64(p.n, 11, 0, 5), c: randomF64(p.n, 12) }),
    args: (x) => [x.s, x.c],
    baseline: { name: 'plain JS', fn: (x) => plain.plainRiskScore(x.s, x.c, 5) },
    peers: [],
    bytes: (p) => 16 * p.n,
  },
  {
    name: 'riskScoreBatch', family: 'risk', sizes: [64 * 8, 10_000 * 8, 1_000_000 * 8], minWork: 8,
    params: (w) => ({ entities: Math.max(1, Math.round(w / 8)), signals: 8 }),
    label: (p) => `entities=${p.entities} x ${p.signals} signals`,
    setup: (p) => {
      const n = p.entities * p.signals;
      return { s: randomF64(n, 21, 0, 5), c: randomF64(n, 23), offsets: Uint32Array.from({ length: p.entities + 1 }, (_, i) => i * p.signals) };
    },
    args: (x) => [x.s, x.c, x.offsets],
    baseline: { name: 'plain JS', fn: (x) => plain.plainRiskBatch(x.s, x.c, x.offsets, 5) },
    peers: [],
    bytes: (p) => 16 * p.entities * p.signals + 12 * p.entities,
  },
  {
    name: 'temporalDecay', family: 'risk', sizes: [64, 10_000, 1_000_000],
    params: (w) => ({ n: Math.max(1, Math.round(w)) }),
    label: (p) => `n=${p.n}`,
    setup: (p) => ({ s: randomF64(p.n, 31), a: randomF64(p.n, 32, 0, 1e6) }),
    args: (x) => [x.s, x.a, 86_400],
    baseline: { name: 'plain JS', fn: (x) => plain.plainTemporalDecay(x.s, x.a, 86_400) },
    peers: [],
    bytes: (p) => 24 * p.n,
  },
  elementwise('stats', plain.plainStats, [ss((m, x) => ({ mean: m.mean(x.xs), variance: m.variance(x.xs), min: m.min(x.xs), max: m.max(x.xs), median: m.median(x.xs) }))], {
    setup: (p) => { const v = randomF64(p.n, 22, -1000, 1000); return { x: v, xs: Array.from(v) }; },
    args: (x) => [x.x],
  }),
  elementwise('percentiles', (x) => plain.plainPercentiles(x, PS), [ss((m, x) => m.quantile(x.xs, PS.map((p) => p / 100)))], {
    setup: (p) => { const v = randomF64(p.n, 22, -1000, 1000); return { x: v, xs: Array.from(v) }; },
    args: (x) => [x.x, PS],
    label: (p) => `n=${p.n} p=[${PS}]`,
  }),
  elementwise('movingAverage', (x) => plain.plainMovingAverage(x, 16), [], {
    args: (x) => [x.x, 16],
    label: (p) => `n=${p.n} window=16`,
    params: (w) => ({ n: Math.max(16, Math.round(w)) }),
    minWork: 16,
  }),
  elementwise('outliersIQR', (x) => plain.plainOutliersIQR(x), [], { args: (x) => [x.x] }),
  elementwise('outliersZScore', (x) => plain.plainOutliersZScore(x), [], { args: (x) => [x.x] }),
  {
    name: 'ngramFeatures', family: 'features', sizes: [200, 100 * 200, 10_000 * 200], minWork: 200,
    params: (w) => ({ texts: Math.max(1, Math.round(w / 200)), len: 200 }),
    label: (p) => `${p.texts} texts x ${p.len} chars, n=3, dims=1024`,
    setup: (p) => ({ t: texts(p.texts, p.len, 41) }),
    args: (x) => [x.t, { n: 3, dims: 1024 }],
    baseline: { name: 'plain JS', fn: (x) => plain.plainNgrams(x.t, 3, 1024) },
    peers: [],
  },
  {
    name: 'matmul', family: 'matmul', sizes: [8 ** 3, 64 ** 3, 512 ** 3], minWork: 8,
    params: (w) => ({ d: Math.max(2, Math.round(Math.cbrt(w))) }),
    label: (p) => `${p.d}x${p.d}x${p.d} f32`,
    setup: (p) => {
      const a = randomF32(p.d * p.d, 24), b = randomF32(p.d * p.d, 25);
      return { a, b, d: p.d, ma: null, mb: null };
    },
    args: (x) => [x.a, x.b, x.d, x.d, x.d],
    baseline: { name: 'plain JS triple loop', fn: (x) => plain.naiveMatmul(x.a, x.b, x.d, x.d, x.d) },
    peers: [{
      name: 'ml-matrix', module: 'ml-matrix',
      prepare: (m, x) => { x.ma = new m.Matrix(rowsOf(x.a, x.d, x.d)); x.mb = new m.Matrix(rowsOf(x.b, x.d, x.d)); },
      fn: (m, x) => x.ma.mmul(x.mb),
    }],
    flops: (p) => 2 * p.d ** 3,
  },
];


/** Service-style keys of ~23 chars: `user:<10 digits>:session`. */
export const routeKeys = (n, from = 0) => Array.from({ length: n }, (_, i) => `user:${1_000_000_000 + from + i}:session`);
/** Random 64-bit key hashes. */
export function keyHashes(n, seed) {
  const r = mulberry32(seed), out = new BigUint64Array(n), w = new Uint32Array(out.buffer);
  for (let i = 0; i < w.length; i++) w[i] = Math.floor(r() * 2 ** 32);
  return out;
}
/** A ring of `nodes` named nodes, built on first use through the API under test (cases' setup has no `hp`). */
const ringOf = (hp, x) => (x.ring ??= new hp.HashRing(x.names));
const nodeNames = (n) => Array.from({ length: n }, (_, i) => `cache-${i}.internal:11211`);

// Cases whose public call is not `hp[name](...args)` give `call` (the public
// call) and `kernelArgs` (the kernel's leading arguments, for its work measure).
KERNEL_CASES.push(
  {
    name: 'hashTexts', family: 'routing', sizes: [24 * 16, 24 * 10_000, 24 * 1_000_000], minWork: 24,
    params: (w) => ({ keys: Math.max(1, Math.round(w / 24)) }),
    label: (p) => `hashKeys of ${p.keys} keys of 23 chars`,
    setup: (p) => ({ keys: routeKeys(p.keys) }),
    args: (x) => [x.keys],
    kernelArgs: (x) => [x.keys],
    call: (hp, x) => hp.hashKeys(x.keys),
    peers: [],
  },
  {
    name: 'jumpHash', family: 'routing', sizes: [16, 10_000, 1_000_000],
    params: (w) => ({ keys: Math.max(1, Math.round(w)) }),
    label: (p) => `${p.keys} u64 keys, 1000 buckets`,
    setup: (p) => ({ keys: keyHashes(p.keys, 51) }),
    args: (x) => [x.keys, 1000],
    baseline: { name: 'plain JS (BigInt)', fn: (x) => plain.plainJumpHash(x.keys, 1000) },
    peers: [],
  },
  {
    name: 'rendezvous', family: 'routing', sizes: [10 * 16, 10 * 10_000, 10 * 1_000_000], minWork: 10,
    params: (w) => ({ keys: Math.max(1, Math.round(w / 10)), nodes: 10 }),
    label: (p) => `HashRing.routeMany of ${p.keys} u64 key hashes over ${p.nodes} nodes`,
    setup: (p) => ({ keys: keyHashes(p.keys, 52), names: nodeNames(p.nodes), seeds: new BigUint64Array(p.nodes) }),
    args: (x) => [x.keys],
    kernelArgs: (x) => [x.keys, x.seeds],
    call: (hp, x) => ringOf(hp, x).routeMany(x.keys),
    peers: [],
  },
  {
    name: 'rendezvousScores', family: 'routing', sizes: [16, 1000, 100_000],
    params: (w) => ({ nodes: Math.max(1, Math.round(w)) }),
    label: (p) => `HashRing.routeN of one key, all ${p.nodes} nodes`,
    setup: (p) => ({ key: 'user:1000000042:session', one: new BigUint64Array(1), names: nodeNames(p.nodes), seeds: new BigUint64Array(p.nodes) }),
    args: (x) => [x.key, x.names.length],
    kernelArgs: (x) => [x.one, x.seeds],
    call: (hp, x) => ringOf(hp, x).routeN(x.key, x.names.length),
    peers: [],
  },
);

/** The work `hotpath` measures for case `c` on inputs `x`: its kernel record's measure of the call's arguments. */
export function workOf(hp, c, x) {
  return hp.KERNELS[c.name].work(...(c.kernelArgs ?? c.args)(x));
}

/** Runs case `c`'s public call on inputs `x`. */
export function callOf(hp, c, x) {
  return c.call ? c.call(hp, x) : hp[c.name](...c.args(x));
}
