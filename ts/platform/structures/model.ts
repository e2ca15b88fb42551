// DenseModel (and loadTfjsModel, modelBatcher) with the model cores of every
// tier. Public code imports them from here (through public-api.ts), so a
// bundle that uses no model carries none of the cores.
import { DenseModel, GpuModel } from '../../api/dense-model.js';
import { modelBatcher } from '../../api/kernel-batchers.js';
import { loadTfjsModel, loadTfjsModelSync } from '../../api/tfjs-model.js';
import { provideStructure } from '../../dispatch/dispatch.js';
import { jsModel } from '../../tiers/js/model.js';
import type { NativeAddon } from '../../tiers/native/addon.js';
import { nativeModel } from '../../tiers/native/model.js';
import type { WasmHeap } from '../../tiers/wasm/heap.js';
import { wasmModel } from '../../tiers/wasm/model.js';

provideStructure('model', {
  js: jsModel,
  wasm: (heap) => wasmModel(heap as WasmHeap),
  native: (addon) => nativeModel(addon as NativeAddon),
});

export { DenseModel, GpuModel, loadTfjsModel, loadTfjsModelSync, modelBatcher };
