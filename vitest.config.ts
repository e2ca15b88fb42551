import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM module without types
import { gpuEnvironment } from './scripts/chromium.mjs';

// The WebGPU suites run on whatever adapter Dawn finds. Without a GPU that is
// SwiftShader's Vulkan driver: the npm-provided one (@sparticuz/chromium,
// unpacked on first use), else Debian chromium's; a set VK_ICD_FILENAMES (a
// real GPU's driver) wins. test.env is the environment vitest forks each worker
// with, so LD_LIBRARY_PATH (the npm-provided Vulkan loader) is in place when the
// worker starts, as glibc needs for Dawn's dlopen; test/support/gpu.ts checks
// the loader that got mapped is that one. Nothing found: the WebGPU suites fail
// with the reason (npm test's runner installs the fallback or stops first).
const gpuEnv: Record<string, string> = gpuEnvironment().env;

export default defineConfig({
  test: {
    // Native addons and wasm instances are per process; forks keep tiers isolated per file.
    pool: 'forks',
    env: gpuEnv,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'] } },
      // The conformance suite again with the native SIMD paths disabled and one
      // thread, so the scalar code a pre-AVX2 CPU runs is exercised too.
      {
        extends: true,
        test: { name: 'native-scalar', include: ['test/similarity.test.ts', 'test/analytics.test.ts', 'test/numeric-edges.test.ts'], env: { HOTPATH_SIMD: 'scalar', HOTPATH_THREADS: '1' } },
      },
      // The same suites on the wasm build without SIMD (what browsers lacking wasm SIMD load).
      {
        extends: true,
        test: { name: 'wasm-nosimd', include: ['test/similarity.test.ts', 'test/analytics.test.ts', 'test/numeric-edges.test.ts', 'test/btree.test.ts', 'test/timing-wheel.test.ts', 'test/ttl-cache.test.ts', 'test/wasm-memory.test.ts', 'test/quantile-sketch.test.ts', 'test/sketch-interop.test.ts'], env: { HOTPATH_WASM_PATH: 'asm/build/hotpath-nosimd.wasm' } },
      },
    ],
  },
});
