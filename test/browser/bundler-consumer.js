// The page every bundler case builds (test/browser/bundlers.ts writes an
// entry per case that imports `hotpath` or `hotpath/inline` as the README
// tells that bundler's users, and hands the module here). No top-level
// await: esbuild's default IIFE output cannot have one. It awaits init(),
// runs an async helper (off the thread where the entry installs workers),
// kernels and structures on the wasm tier and again on js, and publishes
// both for the test to compare.

function kernels(hp) {
  const q = Float32Array.from([1, 0, 0.5, 2]);
  const m = Float32Array.from([1, 0, 0.5, 2, 0, 1, 1, 0, 3, 1, 0, 1]);
  const x = Float64Array.from([1, 2, 3, 4, 100, 7, 5]);
  const t = hp.topK(q, m, 4, 2);
  return {
    cosine: hp.cosine([1, 2, 3], [4, 5, 6]),
    cosineBatch: Array.from(hp.cosineBatch(q, m, 4)),
    topK: { indices: Array.from(t.indices), scores: Array.from(t.scores) },
    stats: hp.stats(x),
  };
}

function structures(hp, backend) {
  const tree = new hp.BPlusTree({ keyType: 'number', backend });
  for (const k of [5, 1, 9, 3, 7]) tree.set(k, `v${k}`);
  tree.delete(9);
  let now = 0;
  const cache = new hp.TtlCache({ maxSize: 2, ttlMs: 10, backend, clock: () => now });
  cache.set('a', 1).set('b', 2).set('c', 3);
  now = 5;
  cache.set('d', 4, { ttlMs: 100 });
  now = 20;
  const sketch = new hp.QuantileSketch({ backend });
  for (let i = 1; i <= 1000; i++) sketch.record(i);
  return {
    tiers: [tree.backend, cache.backend, sketch.backend],
    tree: [...tree.entries()],
    cache: { a: cache.get('a') ?? null, c: cache.get('c') ?? null, d: cache.get('d') ?? null },
    sketch: Array.from(sketch.quantiles([0.5, 0.99])),
  };
}

/** An async helper above the size it runs inline at, so the pool starts a worker where the entry installs one. */
async function offThread(hp) {
  const dim = 4, rows = 20000;
  const q = Float32Array.from([1, 0, 0.5, 2]);
  const m = Float32Array.from({ length: dim * rows }, (_, i) => ((i * 7919) % 13) - 6);
  const [a, b] = [await hp.cosineBatchAsync(q, m, dim), hp.cosineBatch(q, m, dim)];
  return a.length === b.length && a.every((v, i) => v === b[i] || (Number.isNaN(v) && Number.isNaN(b[i])));
}

/** Runs the page on `hp` (the bundled hotpath module) and publishes globalThis.__bundlerCase. */
export function run(hp, name) {
  const before = hp.backend().tiers.wasm.loaded;
  let asyncSame = null;
  // ?simd=0 asks for the build without SIMD (what engines lacking wasm SIMD get).
  const simd = new URLSearchParams(globalThis.location?.search ?? '').get('simd') === '0' ? false : 'auto';
  hp.init({ simd })
    .then(async (info) => {
      asyncSame = await offThread(hp);
      return info;
    })
    .then((info) => {
      hp.setBackend('wasm');
      const wasm = { kernels: kernels(hp), structures: structures(hp, 'wasm') };
      hp.setBackend('js');
      const js = { kernels: kernels(hp), structures: structures(hp, 'js') };
      hp.setBackend('auto');
      globalThis.__bundlerCase = { name, before, asyncSame, wasmTier: info.tiers.wasm, largeInputTier: info.largeInputTier, autoTree: new hp.BPlusTree({ keyType: 'number' }).backend, wasm, js };
    })
    .catch((e) => {
      globalThis.__bundlerCase = { name, error: `${e.name}: ${e.message}` };
    });
}
