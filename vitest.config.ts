import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons and wasm instances are per process; forks keep tiers isolated per file.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'] } },
      // The conformance suite again with the native SIMD paths disabled and one
      // thread, so the scalar code a pre-AVX2 CPU runs is exercised too.
      {
        extends: true,
        test: { name: 'native-scalar', include: ['test/similarity.test.ts', 'test/analytics.test.ts'], env: { HOTPATH_SIMD: 'scalar', HOTPATH_THREADS: '1' } },
      },
      // The same suites on the wasm build without SIMD (what browsers lacking wasm SIMD load).
      {
        extends: true,
        test: { name: 'wasm-nosimd', include: ['test/similarity.test.ts', 'test/analytics.test.ts', 'test/btree.test.ts', 'test/timing-wheel.test.ts', 'test/ttl-cache.test.ts'], env: { HOTPATH_WASM_PATH: 'asm/build/hotpath-nosimd.wasm' } },
      },
    ],
  },
});
