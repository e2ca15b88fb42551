import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The WebGPU suite runs on whatever adapter Dawn finds. Without a GPU that is
// the SwiftShader Vulkan driver from Debian's chromium package (installed by
// .ci/run); a set VK_ICD_FILENAMES (a real GPU's driver) wins.
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const gpuEnv: Record<string, string> = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
if (!process.env.VK_ICD_FILENAMES && !process.env.HOTPATH_GPU_NATIVE_DRIVER && existsSync(SWIFTSHADER)) gpuEnv.VK_ICD_FILENAMES = SWIFTSHADER;

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
