// DenseModel (and loadTfjsModel, modelBatcher) with the model cores of every
// tier. Public code imports them from here (through public-api.ts), so a
// bundle that uses no model carries none of the cores.
import { DenseModel as DenseModelClass, GpuModel as GpuModelClass } from '../../api/dense-model.js';
import { modelBatcher as modelBatcherFn } from '../../api/kernel-batchers.js';
import { loadTfjsModel as loadTfjsModelFn, loadTfjsModelSync as loadTfjsModelSyncFn } from '../../api/tfjs-model.js';
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

// Bindings of this module's own, not re-exports: webpack and Vite skip a
// "sideEffects"-free module that only re-exports, and with it the
// provideStructure call above.
/** {@inheritDoc DenseModelClass} */
export const DenseModel = DenseModelClass;
export type DenseModel = DenseModelClass;
/** {@inheritDoc GpuModelClass} */
export const GpuModel = GpuModelClass;
export type GpuModel = GpuModelClass;
/** {@inheritDoc loadTfjsModelFn} */
export const loadTfjsModel = loadTfjsModelFn;
/** {@inheritDoc loadTfjsModelSyncFn} */
export const loadTfjsModelSync = loadTfjsModelSyncFn;
/** {@inheritDoc modelBatcherFn} */
export const modelBatcher = modelBatcherFn;
