// The WebGPU section: reports the adapter navigator.gpu gives, if any.
// Kept separate so a GPU kernel run can be added here without touching the
// CPU benchmark.

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
  return shown;
}
