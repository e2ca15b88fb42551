// ModelCore over the Rust NativeDenseModel class (native/src/model/): the
// parameters live in Rust memory; predict is one crossing for the whole
// batch, predictAsync a task on the libuv pool. Addon errors are renamed
// after the public class, in the catch only.
import type { ModelConfig, ModelCore } from '../../contract/model.js';
import type { StructureFactories } from '../../contract/tier.js';
import type { NativeAddon, NativeModelHandle } from './addon.js';
import { rethrowNative } from './errors.js';

const EMPTY_F32 = new Float32Array(0);
const EMPTY_U16 = new Uint16Array(0);

function fail(method: string, e: unknown): never {
  return rethrowNative(method === '' ? 'DenseModel' : `DenseModel.${method}`, e, ['inputs', 'batch'], []);
}

export class NativeModelCore implements ModelCore {
  private readonly m: NativeModelHandle;

  constructor(addon: NativeAddon, cfg: ModelConfig) {
    const shape = new Uint32Array(cfg.layers.length * 3);
    cfg.layers.forEach((l, i) => shape.set([l.inDim, l.outDim, l.activation], i * 3));
    const f16 = cfg.weights instanceof Uint16Array;
    try {
      this.m = new addon.NativeDenseModel(shape, f16 ? EMPTY_F32 : (cfg.weights as Float32Array), f16 ? (cfg.weights as Uint16Array) : EMPTY_U16, cfg.biases);
    } catch (e) {
      fail('', e);
    }
  }

  predict(inputs: Float32Array, batch: number, out: Float32Array): void {
    try {
      this.m.predict(inputs, batch, out);
    } catch (e) {
      fail('predict', e);
    }
  }

  /**
   * As predict, on the libuv pool. The task holds `inputs` by reference (no
   * copy on the JS thread) until it settles, so they must not be changed or
   * transferred meanwhile (DenseModel.predictAsync passes its own copy).
   */
  predictAsync(inputs: Float32Array, batch: number): Promise<Float32Array> {
    // A bad call (or a disposed model) rejects like a failed task, rather
    // than throwing from a method that returns a promise.
    let task: Promise<Float32Array>;
    try {
      task = this.m.predictAsync(inputs, batch);
    } catch (e) {
      task = Promise.reject(e);
    }
    return task.catch((e: unknown) => fail('predictAsync', e));
  }

  dispose(): void {
    this.m.dispose();
  }
}

/** The native tier's model factory, or null when the addon predates the class (a stale build). */
export function nativeModel(addon: NativeAddon): StructureFactories['model'] | null {
  if (typeof addon.NativeDenseModel !== 'function') return null;
  return (cfg) => new NativeModelCore(addon, cfg);
}
