// The GPU context the WebGPU suites run on: whatever adapter Dawn finds
// (SwiftShader in CI). No adapter fails the suite unless
// HOTPATH_EXPECT_ABSENT names webgpu: it is never skipped silently.
import { gpu, type Gpu } from '../../ts/index.js';

/** Whether this run declared the WebGPU tier absent. */
export const GPU_ABSENT = (process.env.HOTPATH_EXPECT_ABSENT ?? '').split(',').includes('webgpu');

/** gpu.init({ calibrate: false }), failing when no adapter came up and none was declared absent. */
export async function openGpu(): Promise<Gpu> {
  const g = await gpu.init({ calibrate: false });
  if (!g.available && !GPU_ABSENT) {
    throw new Error(`no WebGPU adapter: ${g.reason}. Install Debian's chromium (its SwiftShader Vulkan driver) and libvulkan1, as .ci/run does, or set HOTPATH_EXPECT_ABSENT=webgpu on a platform without one`);
  }
  return g;
}
