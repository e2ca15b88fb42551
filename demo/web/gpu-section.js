// The WebGPU section: reports the adapter navigator.gpu gives, if any, then
// runs one cosineBatch through hotpath's gpu tier against the CPU tier and
// shows both timings and the largest difference.
import * as hp from 'hotpath';

/** Fills #gpu-status / #gpu-info; resolves to the adapter info shown, or null. */
export async function showGpu(doc = document) {
  const status = doc.getElementById('gpu-status');
  const info = doc.getElementById('gpu-info');
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) {
    status.textContent = 'navigator.gpu is not available in this browser (WebGPU off or unsupported).';
    return null;
  }
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    status.textContent = `requestAdapter() failed: ${e.message}`;
    return null;
  }
  if (!adapter) {
    status.textContent = 'navigator.gpu exists but gave no adapter.';
    return null;
  }
  const ai = adapter.info ?? {};
  const shown = {
    vendor: ai.vendor || '(not given)',
    architecture: ai.architecture || '(not given)',
    description: ai.description || '(not given)',
    isFallbackAdapter: String(ai.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false),
    maxBufferSize: String(adapter.limits?.maxBufferSize ?? '?'),
  };
  status.textContent = 'WebGPU adapter available.';
  for (const [k, v] of Object.entries(shown)) {
    const dt = doc.createElement('dt');
    dt.textContent = k;
    const dd = doc.createElement('dd');
    dd.textContent = v;
    dd.dataset.key = k;
    info.append(dt, dd);
  }
  info.hidden = false;
  await runGpuKernel(doc);
  return shown;
}

/** cosineBatch 1 x 20000 x 384 on hotpath's WebGPU tier and on the CPU tier; fills #gpu-run. */
async function runGpuKernel(doc) {
  const out = doc.getElementById('gpu-run');
  const g = await hp.gpu.init({ calibrate: false });
  if (!g.available) {
    out.textContent = `hotpath.gpu.init(): unavailable: ${g.reason}`;
    return;
  }
  try {
    const dim = 384, n = 20_000;
    const q = new Float32Array(dim).map((_, i) => Math.sin(i)), m = new Float32Array(n * dim).map((_, i) => Math.cos(i * 0.37));
    await g.cosineBatch(q, m, dim); // warm-up: pipeline compile
    let t0 = performance.now();
    const onGpu = await g.cosineBatch(q, m, dim);
    const gpuMs = performance.now() - t0;
    t0 = performance.now();
    const onCpu = hp.cosineBatch(q, m, dim);
    const cpuMs = performance.now() - t0;
    let maxDiff = 0;
    for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(onGpu[i] - onCpu[i]));
    out.dataset.maxDiff = String(maxDiff);
    out.dataset.gpuMs = String(gpuMs);
    out.textContent = `cosineBatch 1×${n}×${dim}: WebGPU ${gpuMs.toFixed(1)} ms, ${hp.backend().largeInputTier} ${cpuMs.toFixed(1)} ms; largest difference ${maxDiff.toExponential(1)}` +
      (g.adapterInfo.isFallbackAdapter ? ' (software adapter: not GPU speed)' : '');
  } finally {
    await g.dispose();
  }
}
