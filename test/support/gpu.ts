// The GPU context the WebGPU suites run on: whatever adapter Dawn finds
// (SwiftShader without a GPU, from vitest.config.ts' gpuEnvironment()). No
// adapter fails the suite unless HOTPATH_EXPECT_ABSENT names webgpu: it is
// never skipped silently.
import { existsSync, readFileSync } from 'node:fs';
import { gpu, type Gpu } from '../../ts/index.js';

/** Whether this run declared the WebGPU tier absent. */
export const GPU_ABSENT = (process.env.HOTPATH_EXPECT_ABSENT ?? '').split(',').includes('webgpu');

/** The Vulkan loaders (libvulkan.so*) mapped into this process, from /proc/self/maps. */
export function mappedVulkanLoaders(): string[] {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  const paths = maps.split('\n').map((l) => l.trim().split(/\s+/)[5] ?? '').filter((p) => /\/libvulkan\.so[^/]*$/.test(p));
  return [...new Set(paths)];
}

/**
 * gpu.init({ calibrate: false }), failing when no adapter came up and none was
 * declared absent, and when the Vulkan loader Dawn opened is not the one
 * vitest.config.ts set up (HOTPATH_TEST_VULKAN_LOADER): that happens when
 * LD_LIBRARY_PATH did not reach the worker at its start.
 */
export async function openGpu(): Promise<Gpu> {
  const g = await gpu.init({ calibrate: false });
  if (!g.available && !GPU_ABSENT) {
    throw new Error(`no WebGPU adapter: ${g.reason}. npm test provides SwiftShader's Vulkan driver and loader from the npm package @sparticuz/chromium (else Debian's chromium and libvulkan1: sudo apt-get install -y chromium libvulkan1); set VK_ICD_FILENAMES to use a real GPU's driver, or HOTPATH_EXPECT_ABSENT=webgpu on a platform without one`);
  }
  const expected = process.env.HOTPATH_TEST_VULKAN_LOADER;
  if (g.available && expected && existsSync('/proc/self/maps')) {
    const mapped = mappedVulkanLoaders();
    if (!mapped.includes(expected)) {
      throw new Error(`Dawn opened the Vulkan loader ${mapped.join(', ') || '(none)'}, not ${expected}: LD_LIBRARY_PATH must be set when the test process starts (vitest.config.ts test.env)`);
    }
  }
  return g;
}
