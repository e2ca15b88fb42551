// A consumer's page: imports the package by name, as an app would, so the
// bundler resolves it through package.json's `browser` export condition.
// The wasm is fetched from /octet/, a server sending the wrong MIME type.
import * as hp from 'hotpath';

const before = hp.backend();
const preInit = { wasm: before.tiers.wasm, native: before.tiers.native, dot: hp.dot([1, 2, 3], [4, 5, 6]) };
let forcedBeforeInit = null;
try {
  hp.setBackend('wasm');
} catch (e) {
  forcedBeforeInit = e.message;
}
const info = await hp.init({ wasm: new URL('/octet/hotpath.wasm', location.href) });
hp.setBackend('wasm');
const q = Float32Array.from([1, 0, 0, 1]), m = Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0]);
const x = Float64Array.from([1, 2, 3, 4, 100]);
const calls = {
  dot: hp.dot(q, q),
  cosine: hp.cosine([1, 2, 3], [4, 5, 6]),
  euclidean: hp.euclidean([0, 0], [3, 4]),
  cosineBatch: Array.from(hp.cosineBatch(q, m, 2)),
  euclideanBatch: Array.from(hp.euclideanBatch(q, m, 2)),
  topK: Array.from(hp.topK(q.subarray(0, 2), m, 2, 2).indices),
  riskScore: hp.riskScore([5, 3], [1, 0.5], { maxSeverity: 10 }),
  riskScoreBatch: Array.from(hp.riskScoreBatch([5, 3, 1], [1, 0.5, 1], Uint32Array.from([0, 2, 3]), { maxSeverity: 10 })),
  temporalDecay: Array.from(hp.temporalDecay([1, 1], [0, 10], 10)),
  stats: hp.stats(x).mean,
  percentiles: Array.from(hp.percentiles(x, [50])),
  movingAverage: Array.from(hp.movingAverage(x, 2)),
  outliersIQR: Array.from(hp.outliersIQR(x)),
  outliersZScore: Array.from(hp.outliersZScore(x, { threshold: 1.5 })),
  ngramFeatures: hp.ngramFeatures(['abcabc'], { n: 3, dims: 8 }).length,
  matmul: Array.from(hp.matmul(Float64Array.from([1, 2, 3, 4]), Float64Array.from([5, 6, 7, 8]), 2, 2, 2)),
  jumpHash: Array.from(hp.jumpHash(BigUint64Array.of(256n, 42n), 1024)),
  xxh64: String(hp.xxh64('abc')),
  routeMany: new hp.HashRing(['a', ['b', 2], 'c\u{1F600}']).routeMany(['k1', 'k2', 'k3', 'k4', 'k5', 'k\uD800']),
  routeN: new hp.HashRing(['a', 'b', 'c', 'd']).routeN('key', 4),
};
const tree = new hp.BPlusTree({ keyType: 'number' });
tree.set(2, 'b');
tree.set(1, 'a');
const wheel = new hp.TimingWheel({ now: 0 });
wheel.schedule(5, 'x');
const errors = {};
for (const [name, f] of Object.entries({ dotType: () => hp.dot('x', [1]), topKRange: () => hp.topK(q, m, 2, -1), matmulShape: () => hp.matmul(new Float64Array(3), new Float64Array(4), 2, 2, 2) })) {
  try {
    f();
    errors[name] = null;
  } catch (e) {
    errors[name] = `${e.name}: ${e.message}`;
  }
}
globalThis.__hotpathConsumer = {
  preInit, forcedBeforeInit, info, calls,
  treeTier: tree.backend, treeKeys: [...tree.keys()], wheelTier: wheel.backend, wheelDue: wheel.advance(10),
  topology: hp.topology(), errors, exports: Object.keys(hp).sort(),
};
